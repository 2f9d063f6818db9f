"""The whole job on the bundled sample data: the contracts of SPEC.md's outputs."""

import polars as pl

from resolver import frames as F
from resolver.config import load_config
from resolver.evaluate import evaluate
from resolver.job import execute
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
    # the report names its own folder in the commands it offers; otherwise the same
    assert (out / "report.html").read_text().replace(str(out), "OUT") == (
        tmp_path / "again" / "report.html").read_text().replace(str(tmp_path / "again"), "OUT")


def test_pair_labels_are_categorical_in_memory_and_plain_strings_in_every_file(sample_run):
    """The scored frame holds each pair's rule, decision and decision source as a
    categorical (4 bytes a pair, not a 16-byte string view); the files a user or the next
    run reads hold them as plain strings, with the same values."""
    from resolver.pipeline import run_pipeline

    config, out = sample_run
    result = run_pipeline(config)
    scored = result.scored
    labels = (F.BLOCKING_RULE, F.DECISION, F.DECISION_SOURCE)
    assert all(scored.schema[c] == pl.Categorical for c in labels)
    pairs = pl.read_parquet(out / "pairs.parquet")
    assert all(pairs.schema[c] == pl.String for c in labels)
    # the same labels, pair for pair, as the run scored them: pairs.parquet names records
    # by source and id, the scored frame by uid
    keys = result.normalized.select(F.UID, F.SOURCE, F.RECORD_ID)
    named = (scored.join(keys.rename({c: F.left(c) for c in keys.columns}), on=F.UID_L)
             .join(keys.rename({c: F.right(c) for c in keys.columns}), on=F.UID_R)
             .select(F.left(F.SOURCE), F.left(F.RECORD_ID), F.right(F.SOURCE),
                     F.right(F.RECORD_ID), *(pl.col(c).cast(pl.String) for c in labels)))
    shown = pairs.filter(~pl.col(F.DECISION_SOURCE).str.starts_with("guard:")).select(
        named.columns)
    assert shown.height and shown.join(named, on=named.columns, how="anti").height == 0
    # the store keeps no rule: the next run blocks again
    assert F.BLOCKING_RULE not in pl.read_parquet(out / "store" / "pairs.parquet").columns


def test_rerun_with_previous_changes_no_id(sample_run, tmp_path):
    config, out = sample_run
    execute(config, tmp_path / "next", "parquet", previous=out)
    before = pl.read_parquet(out / "lineage.parquet")
    after = pl.read_parquet(tmp_path / "next" / "lineage.parquet")
    assert before.select(F.SOURCE, F.RECORD_ID, F.ENTITY_ID).equals(
        after.select(F.SOURCE, F.RECORD_ID, F.ENTITY_ID))
    assert pl.read_parquet(tmp_path / "next" / "changes.parquet").height == 0


def _people_per_entity(out, tag: str) -> pl.DataFrame:
    truth = pl.read_parquet(TRUTH)
    tagged = truth.filter(pl.col("tags").str.contains(tag))
    lineage = pl.read_parquet(out / "lineage.parquet").join(tagged, on=[F.SOURCE, F.RECORD_ID])
    assert tagged.get_column("person_id").n_unique() > 10, "sample data lacks the hard cases"
    return lineage.group_by(F.ENTITY_ID).agg(pl.col("person_id").unique(),
                                             pl.col(F.SOURCE), pl.col(F.RECORD_ID))


def test_twins_are_never_merged(sample_run):
    _, out = sample_run
    merged = _people_per_entity(out, "twin").filter(pl.col("person_id").list.len() > 1)
    assert merged.height == 0


def test_jr_and_sr_are_never_merged(sample_run):
    _, out = sample_run
    merged = _people_per_entity(out, "jr_sr").filter(pl.col("person_id").list.len() > 1)
    assert merged.height == 0


def test_jr_and_sr_are_never_merged_when_their_records_tell_them_apart(sample_run):
    """A record with neither a suffix nor a birth date cannot be told from the other
    generation; every other Jr/Sr record must stay with its own person."""
    config, out = sample_run
    from resolver.ingest import ingest
    from resolver.normalize import normalize_records

    normalized = normalize_records(ingest(config), config)
    telling = normalized.filter(pl.col(F.SUFFIX).is_not_null() | pl.col(F.DOB).is_not_null())
    per_entity = _people_per_entity(out, "jr_sr").explode(F.SOURCE, F.RECORD_ID).join(
        telling.select(F.SOURCE, F.RECORD_ID), on=[F.SOURCE, F.RECORD_ID], how="semi")
    truth = pl.read_parquet(TRUTH).select(F.SOURCE, F.RECORD_ID, "person_id")
    people = per_entity.drop("person_id").join(truth, on=[F.SOURCE, F.RECORD_ID])
    merged = people.group_by(F.ENTITY_ID).agg(pl.col("person_id").n_unique()).filter(
        pl.col("person_id") > 1)
    assert merged.height == 0


def test_quality_on_the_sample_data(sample_run):
    _, out = sample_run
    scores, uncovered = evaluate(out, TRUTH)
    individuals, households = scores
    assert uncovered == 0
    assert individuals.pairwise_f1 >= 0.97
    assert households.pairwise_f1 >= 0.95


def test_sample_config_validates():
    assert load_config(SAMPLE_CONFIG).sources


def test_report_is_a_self_contained_page_with_the_stewards_sections(sample_run):
    _, out = sample_run
    page = (out / "report.html").read_text()
    for section in ("Summary", "Blocking", "Model", "Flagged individuals", "Review queue"):
        assert f"<h2>{section}" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert f"resolver review {out} --accept" in page


def test_worker_memory_skips_a_thread_that_ended_since_the_listing(monkeypatch, tmp_path):
    """The stages run thread pools: a thread listed under /proc/self/task may be gone by
    the time its children file is read."""
    from pathlib import Path

    from resolver.pipeline import _workers_mb

    listed = Path.glob

    def glob(self, pattern):
        yield tmp_path / "ended" / "children"
        yield from listed(self, pattern)

    monkeypatch.setattr(Path, "glob", glob)
    assert _workers_mb() >= 0
