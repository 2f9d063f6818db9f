"""The whole job on the bundled sample data: the contracts of SPEC.md's outputs."""

import polars as pl

from resolver import frames as F
from resolver.config import load_config
from resolver.evaluate import evaluate
from resolver.run import execute
from tests.conftest import ROOT, SAMPLE_CONFIG

TRUTH = ROOT / "sample_data" / "truth.parquet"
OUTPUTS = ("lineage", "entities", "households", "pairs", "changes")


def test_every_input_record_appears_in_lineage_exactly_once(sample_run):
    config, out = sample_run
    lineage = pl.read_parquet(out / "lineage.parquet")
    truth = pl.read_parquet(TRUTH)
    assert lineage.height == truth.height
    assert lineage.select(F.SOURCE, F.RECORD_ID).is_duplicated().sum() == 0
    assert lineage.join(truth, on=[F.SOURCE, F.RECORD_ID], how="anti").height == 0
    assert lineage.schema[F.RECORD_ID] == pl.String
    assert lineage.get_column(F.ENTITY_ID).null_count() == 0
    assert lineage.get_column(F.HOUSEHOLD_ID).null_count() == 0


def test_golden_values_name_a_source_record_of_the_same_individual(sample_run):
    _, out = sample_run
    lineage = pl.read_parquet(out / "lineage.parquet")
    entities = pl.read_parquet(out / "entities.parquet")
    for field in ("first_name", "last_name", "dob", "address", "email", "phone"):
        chosen = entities.filter(pl.col(field).is_not_null()).select(
            F.ENTITY_ID, pl.col(f"{field}_source").alias(F.SOURCE),
            pl.col(f"{field}_record_id").alias(F.RECORD_ID), f"{field}_rule")
        assert chosen.get_column(f"{field}_rule").null_count() == 0
        found = chosen.join(lineage, on=[F.SOURCE, F.RECORD_ID, F.ENTITY_ID], how="inner")
        assert found.height == chosen.height, field


def test_same_input_gives_byte_identical_outputs(sample_run, tmp_path):
    config, out = sample_run
    execute(config, tmp_path / "again", "parquet")
    for name in OUTPUTS:
        assert (out / f"{name}.parquet").read_bytes() == (
            tmp_path / "again" / f"{name}.parquet").read_bytes(), name
    assert (out / "report.html").read_bytes() == (tmp_path / "again" / "report.html").read_bytes()


def test_rerun_with_previous_changes_no_id(sample_run, tmp_path):
    config, out = sample_run
    execute(config, tmp_path / "next", "parquet", previous=out)
    before = pl.read_parquet(out / "lineage.parquet")
    after = pl.read_parquet(tmp_path / "next" / "lineage.parquet")
    assert before.select(F.SOURCE, F.RECORD_ID, F.ENTITY_ID).equals(
        after.select(F.SOURCE, F.RECORD_ID, F.ENTITY_ID))
    assert pl.read_parquet(tmp_path / "next" / "changes.parquet").height == 0


def test_twins_and_jr_sr_are_never_merged(sample_run):
    _, out = sample_run
    truth = pl.read_parquet(TRUTH)
    tagged = truth.filter(pl.col("tags").str.contains("twin|jr_sr"))
    lineage = pl.read_parquet(out / "lineage.parquet").join(tagged, on=[F.SOURCE, F.RECORD_ID])
    people_per_entity = lineage.group_by(F.ENTITY_ID).agg(pl.col("person_id").n_unique())
    assert tagged.get_column("person_id").n_unique() > 10, "sample data lacks the hard cases"
    assert people_per_entity.filter(pl.col("person_id") > 1).height == 0


def test_quality_on_the_sample_data(sample_run):
    _, out = sample_run
    scores, uncovered = evaluate(out, TRUTH)
    individuals, households = scores
    assert uncovered == 0
    assert individuals.pairwise_f1 >= 0.90
    assert households.pairwise_f1 >= 0.85


def test_sample_config_validates():
    assert load_config(SAMPLE_CONFIG).sources
