"""Blocking never drops a pair a rule should produce: compared with a brute-force oracle."""

import itertools
import random

import polars as pl

from resolver import frames as F
from resolver.block import candidate_pairs
from resolver.config import BlockingRule

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


def test_blocking_matches_brute_force_with_first_rule_tags():
    for seed in range(5):
        records = _records(60, seed)
        for link_only in (False, True):
            pairs, stats = candidate_pairs(records, RULES, 1000, link_only)
            got = {(a, b): r for a, b, r in pairs.iter_rows()}
            assert got == _oracle(records, link_only)
            assert stats[-1].cumulative_pairs == len(got)


def test_oversized_blocks_are_skipped_and_counted():
    records = _records(60, 1)
    pairs, stats = candidate_pairs(records, RULES[1:2], max_block_size=5)
    assert pairs.height == 0
    assert stats[0].skipped_blocks == 3
    assert stats[0].skipped_records == records.get_column(F.DOB_TEXT).is_not_null().sum()
