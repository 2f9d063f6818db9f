"""Blocking never drops a pair a rule should produce: compared with a brute-force oracle.
Identical records are the one planned exception: in a dedupe run each copy is paired with
the first record of its group alone (every other pair of it would say the same)."""

import itertools
import random

import polars as pl
import pytest

from resolver import frames as F
from resolver.block import candidate_pairs, duplicate_representatives
from resolver.config import BlockCap, BlockingRule
from resolver.errors import InputError

RULES = (BlockingRule("last_name+zip5", ("last_name", "zip5")),
         BlockingRule("dob", ("dob",)),
         BlockingRule("email", ("email",)))


def _records(n: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    pick = lambda values: rng.choice(values + [None])  # noqa: E731
    return pl.DataFrame({
        F.UID: list(range(n)), F.SOURCE: [rng.choice("ab") for _ in range(n)],
        F.LAST_NAME: [pick(["smith", "jones", "lee"]) for _ in range(n)],
        F.ZIP5: [pick(["10001", "60601"]) for _ in range(n)],
        F.DOB_TEXT: [pick(["19800101", "19900202", "19700303"]) for _ in range(n)],
        F.EMAIL: [pick(["a@x.com", "b@x.com"]) for _ in range(n)],
    }).with_columns(pl.col(F.UID).cast(pl.UInt32))


def _oracle(records: pl.DataFrame, link_only: bool) -> dict[tuple[int, int], str]:
    rows = records.rows(named=True)
    key = {"dob": F.DOB_TEXT}
    expected = {}
    for a, b in itertools.combinations(rows, 2):
        if link_only and a[F.SOURCE] == b[F.SOURCE]:
            continue
        for rule in RULES:
            cols = [key.get(k, k) for k in rule.keys]
            if all(a[c] is not None and a[c] == b[c] for c in cols):
                expected[(a[F.UID], b[F.UID])] = rule.name
                break
    return expected


def _first_copies(records: pl.DataFrame) -> tuple[pl.DataFrame, dict[tuple[int, int], str]]:
    """The records that are no copy of an earlier one, and each copy's pair with it."""
    first, copies = {}, {}
    for row in records.rows(named=True):
        values = tuple(v for k, v in row.items() if k not in (F.UID, F.SOURCE))
        if values in first:
            copies[(first[values], row[F.UID])] = "duplicate"
        else:
            first[values] = row[F.UID]
    return records.filter(pl.col(F.UID).is_in(list(first.values()))), copies


def test_blocking_matches_brute_force_with_first_rule_tags():
    for seed in range(5):
        records = _records(60, seed)
        pairs, stats = candidate_pairs(records, RULES, BlockCap(1000))
        got = {(a, b): r for a, b, r in pairs.iter_rows()}
        distinct, copies = _first_copies(records)
        assert copies, "the test data should hold identical records"
        assert got == _oracle(distinct, False) | copies
        assert stats[-1].cumulative_pairs == len(got) - len(copies)
        want = _oracle(distinct, False)
        assert [s.new_pairs for s in stats] == [
            sum(tag == rule.name for tag in want.values()) for rule in RULES]
        # without copies: the same pairs, in (uid_l, uid_r) order
        pairs, _ = candidate_pairs(distinct, RULES, BlockCap(1000))
        assert {(a, b): r for a, b, r in pairs.iter_rows()} == want
        assert pairs.rows() == sorted(pairs.rows())
        # link_only: a copy gets its first record's pairs, so every pair is there
        pairs, _ = candidate_pairs(records, RULES, BlockCap(1000), link_only=True)
        assert {(a, b): r for a, b, r in pairs.iter_rows()} == _oracle(records, True)


def test_oversized_blocks_are_skipped_and_counted():
    records = _records(60, 1)
    pairs, stats = candidate_pairs(records, RULES[1:2], BlockCap(5))
    assert set(pairs.get_column(F.BLOCKING_RULE)) == {"duplicate"}  # copies pair regardless
    assert stats[0].skipped_blocks == 3
    distinct, _ = _first_copies(records)  # blocks hold one record per group of copies
    assert stats[0].skipped_records == distinct.get_column(F.DOB_TEXT).is_not_null().sum()


def _refine_oracle(records: pl.DataFrame, cap: int, refine: tuple[str, ...]) -> set:
    """Rule dob: a block of at most `cap` records pairs all; a larger one pairs two of its
    records when they also share a refine key whose sub-block is at most `cap`."""
    rows = [r for r in records.rows(named=True) if r[F.DOB_TEXT] is not None]
    block = lambda r, keys: tuple(r[k] for k in keys)  # noqa: E731
    size = lambda keys, value: sum(  # noqa: E731
        block(r, keys) == value and None not in value for r in rows)
    expected = set()
    for a, b in itertools.combinations(rows, 2):
        if a[F.DOB_TEXT] != b[F.DOB_TEXT]:
            continue
        if size((F.DOB_TEXT,), (a[F.DOB_TEXT],)) <= cap:
            expected.add((a[F.UID], b[F.UID]))
            continue
        for key in refine:
            keys = (F.DOB_TEXT, key)
            if a[key] is not None and a[key] == b[key] and size(keys, block(a, keys)) <= cap:
                expected.add((a[F.UID], b[F.UID]))
    return expected


def test_oversized_blocks_are_refined_by_the_refine_keys():
    for seed in range(5):
        records = _records(80, seed)
        distinct, copies = _first_copies(records)
        cap = BlockCap(8, (F.ZIP5, F.LAST_NAME))
        pairs, stats = candidate_pairs(records, RULES[1:2], cap)
        got = {(a, b) for a, b, r in pairs.iter_rows() if r != "duplicate"}
        assert got == _refine_oracle(distinct, 8, cap.refine_with)
        assert stats[0].refined_blocks == 3  # three dob values, each in ~25 records
        assert pairs.height < len(list(itertools.combinations(range(80), 2))) / 3


@pytest.mark.parametrize("hashes_clash", [False, True])
def test_rule_membership_equals_what_each_rule_produces(hashes_clash, monkeypatch):
    """The bit mask computed from keys and block sizes equals blocking each rule again,
    capped and refined blocks included; also when the keys' hashes clash (every value
    hashed alike), where the codes come from the values themselves."""
    from resolver.block import rule_membership, rule_pairs

    if hashes_clash:
        monkeypatch.setattr(pl.Series, "hash", lambda self, seed=0: pl.Series(
            self.name, [7] * len(self), dtype=pl.UInt64))
    for seed in range(4):
        records = _records(90, seed)
        cap = BlockCap(8, (F.ZIP5, F.LAST_NAME))
        pairs, _ = candidate_pairs(records, RULES, cap)
        mask = rule_membership(pairs, records, RULES, cap)
        for bit, rule in enumerate(RULES):
            produced = {(a, b) for a, b, _ in rule_pairs(records, rule, cap).iter_rows()}
            got = {(a, b) for (a, b, _), m in zip(pairs.iter_rows(), mask)
                   if m >> bit & 1}
            assert got == produced, rule.name
        assert mask.any()


def test_pairs_predicted_at_a_larger_size_bound_what_grown_data_makes():
    """Low: every block stays as it is and blocks multiply (the data again with new
    values); high: every block grows (each record again with the same keys). Both are
    checked against the grown data, blocked for real."""
    from resolver.block import pairs_at_size

    records = _records(40, 3)
    distinct, _ = _first_copies(records)
    # a value of its own in every record, so that no record of the grown data is a copy
    distinct = distinct.with_columns(pl.col(F.UID).cast(pl.String).alias(F.CITY))
    cap = BlockCap(12, (F.ZIP5,))
    doubled_same = pl.concat([distinct, distinct.with_columns(
        pl.col(F.UID) + 1000, pl.col(F.CITY) + "b")])
    doubled_new = pl.concat([distinct, distinct.with_columns(
        pl.col(F.UID) + 1000,
        *(pl.col(c) + "2" for c in (F.LAST_NAME, F.ZIP5, F.DOB_TEXT, F.EMAIL)))])
    predicted = pairs_at_size(distinct, RULES, cap, 2 * distinct.height)
    for rule in RULES[:2]:  # email is not shared by the first doubling
        _, grown = candidate_pairs(doubled_same.with_columns(pl.col(F.UID).cast(pl.UInt32)),
                                   (rule,), cap)
        _, multiplied = candidate_pairs(doubled_new.with_columns(
            pl.col(F.UID).cast(pl.UInt32)), (rule,), cap)
        assert predicted[rule.name][0] == multiplied[0].pairs, rule.name
        assert predicted[rule.name][1] >= grown[0].pairs, rule.name
    # no cap reached: every block doubles and its pairs about quadruple, exactly as blocked
    wide = BlockCap(1000)
    uncapped = pairs_at_size(distinct, RULES[:1], wide, 2 * distinct.height)
    _, grown = candidate_pairs(doubled_same.with_columns(pl.col(F.UID).cast(pl.UInt32)),
                               RULES[:1], wide)
    assert uncapped[RULES[0].name][1] == grown[0].pairs > 3 * uncapped[RULES[0].name][0] / 2


def test_rules_past_max_pairs_are_capped_most_saving_first_until_they_fit():
    """Past blocking.max_pairs the rule whose blocks over the cap hold the most pairs is
    capped although its own total is within the cap's allowance: its pairs are then the
    refine oracle's, the other rules' are untouched, and the stats say what it would have
    made. The mask training reads (rule_membership) follows the capped rule."""
    from resolver.block import cap_as_run, predicted_pairs, rule_membership, rule_pairs
    from resolver.block import _keys_frame, duplicate_representatives

    refine = (F.ZIP5, F.LAST_NAME)
    for seed in range(4):
        rng = random.Random(seed)  # twelve emails: dob's three values make the most pairs
        records = _records(80, seed).with_columns(pl.Series(F.EMAIL, [
            f"{rng.randrange(12)}@x.com" for _ in range(80)]))
        distinct, _ = _first_copies(records)
        cap = BlockCap(16, refine)  # dob's ~22-record blocks pass 16, its total does not
        keys = _keys_frame(records, {k for r in RULES for k in r.keys} | set(refine),
                           duplicate_representatives(records, False))
        whole = {r.name: predicted_pairs(keys, r, cap) for r in RULES}
        dob_capped = predicted_pairs(keys, RULES[1], BlockCap(16, refine, ("dob",)))
        assert max(whole, key=whole.get) == "dob" and dob_capped < whole["dob"]
        max_pairs = sum(whole.values()) - whole["dob"] + dob_capped
        pairs, stats = candidate_pairs(records, RULES, cap, max_pairs=max_pairs)
        rows = distinct.filter(pl.col(F.DOB_TEXT).is_not_null()).rows(named=True)
        sharing_dob = sum(a[F.DOB_TEXT] == b[F.DOB_TEXT]
                          for a, b in itertools.combinations(rows, 2))
        assert [s.capped_to_fit for s in stats] == [0, sharing_dob, 0]
        assert [s.capped_at for s in stats] == [0, 16, 0]
        assert pairs.height <= max_pairs
        fitted = cap_as_run(cap, stats)
        assert fitted == BlockCap(16, refine, ("dob",))
        produced = {(a, b) for a, b, _ in rule_pairs(records, RULES[1], fitted).iter_rows()}
        assert produced == _refine_oracle(distinct, 16, refine)
        for rule in (RULES[0], RULES[2]):
            assert rule_pairs(records, rule, fitted).equals(rule_pairs(records, rule, cap))
        mask = rule_membership(pairs, records, RULES, fitted)
        for bit, rule in enumerate(RULES):
            made = {(a, b) for a, b, _ in rule_pairs(records, rule, fitted).iter_rows()}
            assert {(a, b) for (a, b, _), m in zip(pairs.iter_rows(), mask)
                    if m >> bit & 1} == made, rule.name


def test_past_max_pairs_with_the_rules_capped_the_block_size_is_lowered_until_they_fit():
    """Every rule capped at the largest size that fits: one more record a block and they
    would not; the dob rule's pairs are the refine oracle's at that size."""
    from resolver.block import _keys_frame, cap_as_run, predicted_pairs, rule_pairs

    refine = (F.ZIP5, F.LAST_NAME)
    every = tuple(r.name for r in RULES)
    for seed in range(3):
        records = _records(80, seed)
        distinct, _ = _first_copies(records)
        keys = _keys_frame(records, {k for r in RULES for k in r.keys} | set(refine),
                           duplicate_representatives(records, False))
        def total(size: int, keys=keys) -> int:
            return sum(predicted_pairs(keys, r, BlockCap(size, refine, every)) for r in RULES)
        max_pairs = total(12)
        pairs, stats = candidate_pairs(records, RULES, BlockCap(20, refine),
                                       max_pairs=max_pairs)
        size = stats[0].capped_at
        assert {s.capped_at for s in stats} == {size} and 12 <= size < 20
        assert total(size) <= max_pairs < total(size + 1)
        assert pairs.height <= max_pairs
        fitted = cap_as_run(BlockCap(20, refine), stats)
        assert fitted == BlockCap(size, refine, every)
        produced = {(a, b) for a, b, _ in rule_pairs(records, RULES[1], fitted).iter_rows()}
        assert produced == _refine_oracle(distinct, size, refine)


def test_pairs_past_max_pairs_even_at_the_smallest_fitted_block_are_refused():
    records = _records(80, 0)
    cap = BlockCap(20, (F.ZIP5, F.LAST_NAME))
    with pytest.raises(InputError, match=r"even with \d rule\(s\) capped"):
        candidate_pairs(records, RULES, cap, max_pairs=100)


def test_fitting_predicted_at_a_larger_size_is_what_the_grown_data_gets():
    """Every record doubled with its keys (blocks grow): fitting_at_size on the data as it
    is names the block size blocking the doubled data caps every rule at."""
    from resolver.block import _keys_frame, fitting_at_size, predicted_pairs

    refine = (F.ZIP5, F.LAST_NAME)
    every = tuple(r.name for r in RULES)
    for seed in range(3):
        distinct, _ = _first_copies(_records(80, seed))
        distinct = distinct.with_columns(pl.col(F.UID).cast(pl.String).alias(F.CITY))
        doubled = pl.concat([distinct, distinct.with_columns(
            pl.col(F.UID) + 1000, pl.col(F.CITY) + "b")]).with_columns(
            pl.col(F.UID).cast(pl.UInt32))
        keys = _keys_frame(doubled, {k for r in RULES for k in r.keys} | set(refine),
                           duplicate_representatives(doubled, False))
        cap = BlockCap(40, refine)
        max_pairs = sum(predicted_pairs(keys, r, BlockCap(24, refine, every)) for r in RULES)
        _, stats = candidate_pairs(doubled, RULES, cap, max_pairs=max_pairs)
        size = stats[0].capped_at
        assert 24 <= size < 40
        assert fitting_at_size(distinct, RULES, cap, max_pairs, doubled.height) == \
            f"every rule capped at blocks of {size}"
        assert fitting_at_size(distinct, RULES, cap, 10 ** 9, doubled.height) == "fits"
        assert fitting_at_size(distinct, RULES, cap, 1, doubled.height).startswith("refused")
