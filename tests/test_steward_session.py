"""A scripted steward session on the sample data: import a decisions file that rejects a
true match and accepts a true non-match, run again, and the output changes as decided."""

import polars as pl

from resolver import frames as F
from resolver.config import load_config
from resolver.explain import explain_pair
from resolver.job import execute
from tests.test_cli import resolver


def _clusters(out) -> dict[str, frozenset]:
    lineage = pl.read_parquet(out / "lineage.parquet").with_columns(
        pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias("key"))
    members = lineage.group_by(F.ENTITY_ID).agg(pl.col("key"))
    sets = [frozenset(keys) for keys in members.get_column("key").to_list()]
    return {key: group for group in sets for key in group}


def _labelled_pairs(out, truth_path) -> pl.DataFrame:
    truth = pl.read_parquet(truth_path).select(
        pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias("key"), "person_id")
    pairs = pl.read_parquet(out / "pairs.parquet").with_columns(
        pl.concat_str(F.left(F.SOURCE), pl.lit(":"), F.left(F.RECORD_ID)).alias("a"),
        pl.concat_str(F.right(F.SOURCE), pl.lit(":"), F.right(F.RECORD_ID)).alias("b"))
    return (pairs.join(truth.rename({"key": "a", "person_id": "person_a"}), on="a")
            .join(truth.rename({"key": "b", "person_id": "person_b"}), on="b")
            .sort("a", "b"))


def test_imported_decisions_change_the_next_run_exactly_as_decided(sample_copy):
    config_path = sample_copy / "configs" / "sample.toml"
    first, second = sample_copy / "first", sample_copy / "second"
    execute(load_config(config_path), first, "parquet")
    before = _clusters(first)
    pairs = _labelled_pairs(first, sample_copy / "sample_data" / "truth.parquet")
    true_match = pairs.filter((pl.col(F.DECISION) == "match") & (pl.col(F.DECISION_SOURCE)
                              == "model") & (pl.col("person_a") == pl.col("person_b"))
                              ).row(0, named=True)
    non_match = pairs.filter((pl.col(F.DECISION) == "review")
                             & (pl.col("person_a") != pl.col("person_b"))).row(0, named=True)
    reject, accept = (true_match["a"], true_match["b"]), (non_match["a"], non_match["b"])
    assert before[reject[0]] == before[reject[1]] and before[accept[0]] != before[accept[1]]

    decisions = sample_copy / "session.csv"
    decisions.write_text("record_a,record_b,decision,note\n"
                         f"{reject[0]},{reject[1]},no_match,not the same person\n"
                         f"{accept[0]},{accept[1]},match,same person after all\n")
    done = resolver("review", first, "--import", decisions, "--reviewer", "ann")
    assert done.returncode == 0, done.stderr
    execute(load_config(config_path), second, "parquet")
    after = _clusters(second)

    assert after[reject[0]] != after[reject[1]]
    assert after[accept[0]] == after[accept[1]]
    # nothing else moved: every individual without the four records is as it was
    touched = {k for key in (*reject, *accept) for k in before[key] | after[key]}
    assert {g for g in before.values() if not g & touched} == {
        g for g in after.values() if not g & touched}
    keys = (*reject, *accept)
    assert set().union(*(before[k] for k in keys)) == set().union(*(after[k] for k in keys))

    steward = pl.read_parquet(second / "pairs.parquet").filter(
        pl.col(F.DECISION_SOURCE) == "steward")
    assert steward.height == 2
    why = explain_pair(second, *reject)
    assert "a steward decided they are different people (no_match)" in why.reasons
    assert explain_pair(second, *accept).reasons == [
        "a steward decided they are one person (match)"]
