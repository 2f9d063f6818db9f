"""Match quality on data the model was not tuned on, against independent truth: the
project's generator at an unseen seed, and Splink's public fake_1000 (shared/datasets)."""

from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.config import load_config
from resolver.evaluate import evaluate
from resolver.job import execute

ROOT = Path(__file__).resolve().parent.parent
FAKE_1000 = ROOT.parent / "shared" / "datasets" / "fake_1000.csv"


def test_individuals_on_generated_data_no_model_was_tuned_on(unseen_run):
    _, out, truth = unseen_run
    individuals, _ = evaluate(out, truth)[0]
    assert individuals.pairwise_f1 >= 0.96
    assert individuals.bcubed_precision >= 0.98


def _hard_cases(out: Path, truth: Path, tag: str) -> pl.DataFrame:
    """Per individual: the true people among its records tagged `tag` in the truth."""
    tagged = pl.read_parquet(truth).filter(pl.col("tags").str.contains(tag))
    assert tagged.get_column("person_id").n_unique() >= 10, "the data lacks the hard case"
    lineage = pl.read_parquet(out / "lineage.parquet").join(
        tagged, on=[F.SOURCE, F.RECORD_ID])
    return lineage.group_by(F.ENTITY_ID).agg(pl.col("person_id").n_unique().alias("people"))


def test_twins_on_generated_data_stay_apart(unseen_run):
    _, out, truth = unseen_run
    assert _hard_cases(out, truth, "twin").filter(pl.col("people") > 1).height == 0


def test_jr_and_sr_on_generated_data_stay_apart(unseen_run):
    _, out, truth = unseen_run
    assert _hard_cases(out, truth, "jr_sr").filter(pl.col("people") > 1).height == 0


def test_fake_1000_beats_splink_s_published_score(tmp_path):
    """Splink 5 with its own tutorial settings scores pairwise F1 0.840 on this file."""
    truth = tmp_path / "truth.parquet"
    pl.read_csv(FAKE_1000, infer_schema=False).select(
        pl.lit("fake").alias(F.SOURCE), pl.col("unique_id").alias(F.RECORD_ID),
        pl.col("cluster").alias("person_id")).write_parquet(truth)
    execute(load_config(ROOT / "configs" / "fake_1000.toml"), tmp_path / "out", "parquet")
    individuals = evaluate(tmp_path / "out", truth)[0][0]
    assert individuals.pairwise_f1 >= 0.88
    assert individuals.bcubed_precision >= 0.98
