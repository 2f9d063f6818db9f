"""`resolver diff OLD NEW`: per individual and household, what changed between two runs,
and the same changes as the later run's changes.parquet lists under --previous."""

import json
import shutil

import polars as pl
import pytest

from resolver import frames as F
from resolver.config import load_config
from resolver.diff import diff_runs
from resolver.job import execute
from tests.conftest import ROOT
from tests.test_cli import resolver


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """A base run; then one individual's records deleted, one record moved, and a steward
    match joining two individuals; the second run with --previous base."""
    root = tmp_path_factory.mktemp("diff")
    for folder in ("configs", "sample_data"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "sample_data" / "decisions.csv").unlink(missing_ok=True)
    config = root / "configs" / "sample.toml"
    execute(load_config(config), root / "old", "parquet")
    lineage = pl.read_parquet(root / "old" / "lineage.parquet")
    by_entity = (lineage.group_by(F.ENTITY_ID).agg(pl.col(F.RECORD_ID).sort(), F.SOURCE)
                 .filter(pl.col(F.SOURCE).list.eval(pl.element() == "crm").list.all())
                 .drop(F.SOURCE).sort(F.ENTITY_ID))
    gone, joined = by_entity.row(0), by_entity.slice(1, 2).rows()
    moved = by_entity.row(5)[1][0]
    path = root / "sample_data" / "crm.csv"
    rows = pl.read_csv(path, infer_schema=False)
    street = rows.filter(pl.col("customer_id") == by_entity.row(9)[1][0]).item(0, "Street1")
    rows = rows.filter(~pl.col("customer_id").is_in(gone[1])).with_columns(
        pl.when(pl.col("customer_id") == moved).then(pl.lit(street))
        .otherwise(pl.col("Street1")).alias("Street1"))
    rows.write_csv(path)
    (root / "sample_data" / "decisions.csv").write_text(
        f"record_a,record_b,decision\ncrm:{joined[0][1][0]},crm:{joined[1][1][0]},match\n")
    execute(load_config(config), root / "new", "parquet", previous=root / "old")
    return root, gone[0], [j[0] for j in joined], moved


def test_diff_names_retired_merged_and_updated(two_runs):
    root, gone, joined, _ = two_runs
    changes = diff_runs(root / "old", root / "new").entities
    kinds = {k: set(changes.filter(pl.col("change") == k).get_column(F.ENTITY_ID))
             for k in ("retired", "merged", "updated", "household_moved")}
    assert gone in kinds["retired"]
    assert len(set(joined) & (kinds["merged"] | kinds["retired"])) == 2
    assert changes.filter(pl.col("change") == "updated").get_column("fields").explode().is_in(
        ["address"]).any()


def test_diff_agrees_with_changes_parquet(two_runs):
    root, *_ = two_runs
    listed = pl.read_parquet(root / "new" / "changes.parquet")
    diffed = diff_runs(root / "old", root / "new").entities
    for kind in ("retired", "merged", "updated", "household_moved", "new", "split"):
        assert set(listed.filter(pl.col("change") == kind).get_column(F.ENTITY_ID)) == set(
            diffed.filter(pl.col("change") == kind).get_column(F.ENTITY_ID)), kind


def test_diff_of_a_run_with_itself_is_empty(two_runs):
    root, *_ = two_runs
    same = diff_runs(root / "new", root / "new")
    assert same.entities.height == 0 and same.households.height == 0


def test_diff_cli_json_and_table(two_runs):
    root, gone, *_ = two_runs
    shown = resolver("diff", root / "old", root / "new", "--json")
    assert shown.returncode == 0
    doc = json.loads(shown.stdout)
    assert {"change": "retired", "entity_id": gone} == {
        k: v for k, v in next(e for e in doc["entities"] if e["entity_id"] == gone).items()
        if k in ("change", "entity_id")}
    assert all(h["change"] in ("new", "retired", "members_changed") for h in doc["households"])
    table = resolver("diff", root / "old", root / "new")
    assert table.returncode == 0 and "retired" in table.stdout and "individuals:" in table.stdout


def test_diff_of_a_folder_that_is_no_output_exits_2(two_runs, tmp_path):
    root, *_ = two_runs
    shown = resolver("diff", tmp_path, root / "new")
    assert shown.returncode == 2
    assert "no lineage.parquet or lineage.csv" in shown.stderr and "Traceback" not in shown.stderr
