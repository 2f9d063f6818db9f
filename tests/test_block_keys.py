"""Derived blocking keys: name tokens (either name part) and prefixes of any key."""

import itertools
import random

import polars as pl

from resolver import frames as F
from resolver.block import candidate_pairs, is_blocking_key
from resolver.config import BlockCap, BlockingRule


def _records(n: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    names = ["watts", "john", "mary", None]
    return pl.DataFrame({
        F.UID: list(range(n)), F.SOURCE: ["a"] * n,
        F.FIRST_NAME: [rng.choice(names) for _ in range(n)],
        F.LAST_NAME: [rng.choice(names) for _ in range(n)],
        F.DOB_TEXT: [rng.choice(["18500101", "18500102", None]) for _ in range(n)],
        "postcode_fake": [rng.choice(["TQ138DF", "TQ138HU", "TQ14AB", "SW1A2AA", None])
                          for _ in range(n)],
        F.EMAIL: [f"p{i}@example.org" for i in range(n)],  # no two records identical
    }).with_columns(pl.col(F.UID).cast(pl.UInt32))


def test_name_tokens_pair_records_sharing_any_name_part_once():
    records = _records(60, 3)
    rule = BlockingRule("name_tokens+dob", ("name_tokens", "dob"))
    pairs, _ = candidate_pairs(records, (rule,), BlockCap(1000))
    rows = records.rows(named=True)
    expected = {(a[F.UID], b[F.UID]) for a, b in itertools.combinations(rows, 2)
                if a[F.DOB_TEXT] is not None and a[F.DOB_TEXT] == b[F.DOB_TEXT]
                and ({a[F.FIRST_NAME], a[F.LAST_NAME]} & {b[F.FIRST_NAME], b[F.LAST_NAME]})
                - {None}}
    got = list(zip(pairs.get_column(F.UID_L).to_list(), pairs.get_column(F.UID_R).to_list()))
    assert len(got) == len(set(got)) and set(got) == expected


def test_a_prefix_key_blocks_on_the_first_characters():
    records = _records(60, 5)
    rule = BlockingRule("postcode_fake[:4]", ("postcode_fake[:4]",))
    pairs, _ = candidate_pairs(records, (rule,), BlockCap(1000))
    rows = records.rows(named=True)
    expected = {(a[F.UID], b[F.UID]) for a, b in itertools.combinations(rows, 2)
                if a["postcode_fake"] and b["postcode_fake"]
                and a["postcode_fake"][:4] == b["postcode_fake"][:4]}
    got = set(zip(pairs.get_column(F.UID_L).to_list(), pairs.get_column(F.UID_R).to_list()))
    assert got == expected


def test_a_negative_prefix_drops_the_last_characters():
    records = _records(60, 7)
    rule = BlockingRule("postcode_fake[:-3]", ("postcode_fake[:-3]",))
    pairs, _ = candidate_pairs(records, (rule,), BlockCap(1000))
    rows = records.rows(named=True)
    expected = {(a[F.UID], b[F.UID]) for a, b in itertools.combinations(rows, 2)
                if a["postcode_fake"] and b["postcode_fake"]
                and a["postcode_fake"][:-3] == b["postcode_fake"][:-3]}
    got = set(zip(pairs.get_column(F.UID_L).to_list(), pairs.get_column(F.UID_R).to_list()))
    assert got == expected


def test_prefix_keys_are_accepted_for_keys_and_extra_fields_only():
    assert is_blocking_key("postcode_fake[:3]", {"postcode_fake"})
    assert is_blocking_key("last_name[:4]", set())
    assert not is_blocking_key("nope[:3]", set())
    assert not is_blocking_key("name_tokens[:3]", set())
    assert not is_blocking_key("zip5[:0]", set())
    assert is_blocking_key("postcode_fake[:-3]", {"postcode_fake"})
