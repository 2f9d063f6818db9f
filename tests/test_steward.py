"""The steward loop: review decisions persist and the next run honours them; explain and
init work end to end."""

import polars as pl

from resolver import frames as F
from resolver.config import load_config
from resolver.job import execute
from tests.test_cli import resolver


def _entity_of(out, key: str) -> str:
    source, record_id = key.split(":", 1)
    lineage = pl.read_parquet(out / "lineage.parquet")
    return lineage.filter((pl.col(F.SOURCE) == source) & (pl.col(F.RECORD_ID) == record_id)
                          ).item(0, F.ENTITY_ID)


def _key(row: dict, side: str) -> str:
    return f"{row[f'source_{side}']}:{row[f'record_id_{side}']}"


def test_accept_and_reject_are_honoured_by_the_next_run(sample_copy):
    config_path = sample_copy / "configs" / "sample.toml"
    first = sample_copy / "first"
    execute(load_config(config_path), first, "parquet")
    pairs = pl.read_parquet(first / "pairs.parquet")
    # a review pair whose records ended up apart (others may be joined through third
    # records)
    a, b = next((_key(r, "l"), _key(r, "r")) for r in pairs.filter(
        pl.col(F.DECISION) == "review").iter_rows(named=True)
        if _entity_of(first, _key(r, "l")) != _entity_of(first, _key(r, "r")))
    matched = pairs.filter(pl.col(F.DECISION) == "match").row(0, named=True)
    c, d = _key(matched, "l"), _key(matched, "r")
    assert _entity_of(first, a) != _entity_of(first, b)
    assert _entity_of(first, c) == _entity_of(first, d)

    assert resolver("review", first, "--accept", a, b, "--reviewer", "alice").returncode == 0
    done = resolver("review", first, "--reject", c, d, "--note", "father and son")
    assert done.returncode == 0, done.stderr
    decisions = pl.read_csv(sample_copy / "sample_data" / "decisions.csv")
    assert decisions.select("record_a", "record_b", "decision").rows() == [
        (a, b, "match"), (c, d, "no_match")]

    second = sample_copy / "second"
    execute(load_config(config_path), second, "parquet")
    assert _entity_of(second, a) == _entity_of(second, b)
    assert _entity_of(second, c) != _entity_of(second, d)
    steward = pl.read_parquet(second / "pairs.parquet").filter(
        pl.col(F.DECISION_SOURCE) == "steward")
    assert steward.height == 2


def test_review_rejects_unknown_records(sample_run):
    _, out = sample_run
    done = resolver("review", out, "--accept", "crm:NOPE", "web:100001")
    assert done.returncode == 2 and "record 'crm:NOPE' is not in" in done.stderr


def test_explain_shows_every_comparison_and_the_total(sample_run):
    config, out = sample_run
    pair = pl.read_parquet(out / "pairs.parquet").row(0, named=True)
    done = resolver("explain", out, _key(pair, "l"), _key(pair, "r"))
    assert done.returncode == 0, done.stderr
    for comparison in config.comparisons:
        assert comparison.name in done.stdout
    assert f"{pair[F.MATCH_WEIGHT]:+.2f}" in done.stdout


def test_init_writes_a_config_that_validates(sample_copy):
    data = sample_copy / "sample_data"
    files = [data / n for n in ("crm.csv", "web_signups.parquet", "pos_loyalty.csv",
                                "call_centre.csv")]
    config = sample_copy / "guessed.toml"
    assert resolver("init", *files, "--out", config).returncode == 0
    checked = resolver("validate", config)
    assert checked.returncode == 0, checked.stderr
    text = config.read_text()
    for line in ('id_column = "customer_id"', 'full_name = "card_holder"',
                 'updated_at = "signup_ts"', 'postcode = "Zip"'):
        assert line in text
