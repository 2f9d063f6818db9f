"""Survivorship: each rule's choice and the lineage it records."""

import datetime as dt

import polars as pl
import pytest

from resolver import frames as F
from resolver.golden.survivorship import candidates, choose


def _records():
    d = dt.datetime
    return pl.DataFrame({
        F.ENTITY_ID: ["E1"] * 4,
        F.SOURCE: ["crm", "web", "pos", "web"],
        F.RECORD_ID: ["c1", "w1", "p1", "w2"],
        F.UPDATED_AT: [d(2020, 1, 1), d(2024, 1, 1), d(2022, 1, 1), d(2021, 1, 1)],
        "value_col": ["bob@old.com", "bob@new.com", "robert.smith@long-domain.com", "bob@old.com"],
        "ok": [True, True, False, True],
    })


@pytest.mark.parametrize("rules,value,record,rule", [
    (("most_recent",), "bob@new.com", ("web", "w1"), "most_recent"),
    (("most_frequent",), "bob@old.com", ("crm", "c1"), "most_frequent"),
    (("most_complete",), "robert.smith@long-domain.com", ("pos", "p1"), "most_complete"),
    (("source_priority",), "robert.smith@long-domain.com", ("pos", "p1"), "source_priority"),
    (("valid_first", "most_complete"), "bob@old.com", ("crm", "c1"), "tie_break"),
    (("valid_first", "most_frequent", "most_recent"), "bob@old.com", ("web", "w2"),
     "most_frequent"),
])
def test_each_rule_chooses_and_records_its_lineage(rules, value, record, rule):
    cands = candidates(_records(), "value_col", pl.col("ok"), ("pos", "crm", "web"))
    row = choose(cands, rules).row(0, named=True)
    assert (row["value"], (row[F.SOURCE], row[F.RECORD_ID]), row["rule"]) == (value, record,
                                                                                 rule)


def test_a_single_value_is_recorded_as_the_only_value():
    records = _records().with_columns(pl.lit("same@x.com").alias("value_col"))
    row = choose(candidates(records, "value_col", pl.col("ok"), ()), ("most_recent",)).row(
        0, named=True)
    assert (row["value"], row["rule"], row[F.RECORD_ID]) == ("same@x.com", "only_value", "w1")


def test_ties_go_to_the_smallest_source_and_record_id():
    records = _records().with_columns(pl.lit(None, pl.Datetime("us")).alias(F.UPDATED_AT))
    row = choose(candidates(records, "value_col", pl.col("ok"), ()), ("most_recent",)).row(
        0, named=True)
    assert (row[F.SOURCE], row[F.RECORD_ID], row["rule"]) == ("crm", "c1", "tie_break")


def test_valid_first_is_recorded_when_only_validity_set_the_winner_apart():
    records = _records().with_columns(pl.Series("ok", [True, False, False, True]))
    row = choose(candidates(records, "value_col", pl.col("ok"), ()),
                 ("valid_first", "most_recent")).row(0, named=True)
    assert (row["value"], row[F.RECORD_ID], row["rule"]) == ("bob@old.com", "w2", "valid_first")


@pytest.mark.parametrize("seed", [3, 4])
def test_individuals_of_one_record_get_the_rows_survivorship_would_give(unseen_sample, seed):
    """golden_records reads a one-record individual's row off the record; the general
    survivorship path, run on every individual, is the oracle."""
    import numpy as np

    from resolver.golden.build import _grouped_golden, golden_records
    from resolver.ingest import ingest
    from resolver.normalize import normalize_records

    config, _ = unseen_sample
    normalized = normalize_records(ingest(config), config)
    # individuals of 1 to 4 records, drawn at random: about half of them of one record
    sizes = np.random.default_rng(seed).choice([1, 1, 1, 2, 3, 4], size=normalized.height)
    entity = np.repeat(np.arange(len(sizes)), sizes)[:normalized.height]
    records = normalized.with_columns(
        pl.Series(F.ENTITY_ID, [f"E{e:06d}" for e in entity]).shuffle(seed))
    assert 0 < records.get_column(F.ENTITY_ID).is_unique().sum() < records.height
    assert golden_records(records, config).equals(
        _grouped_golden(records, config).sort(F.ENTITY_ID))
