"""`evaluate --errors`: false merges and missed matches against a hand-made answer."""

import json

import polars as pl

from resolver.cli import app
from resolver.evaluate_errors import error_lists


def _folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    # individuals E1 = people p1 + p2 (a false merge); p3 spread over E2 and E3 (missed)
    pl.DataFrame({"source": ["a"] * 6, "record_id": ["1", "2", "3", "4", "5", "6"],
                  "entity_id": ["E1", "E1", "E1", "E2", "E3", "E4"],
                  "household_id": ["H"] * 6}).write_parquet(out / "lineage.parquet")
    truth = tmp_path / "truth.parquet"
    pl.DataFrame({"source": ["a"] * 6, "record_id": ["1", "2", "3", "4", "5", "6"],
                  "person_id": ["p1", "p1", "p2", "p3", "p3", "p4"]}).write_parquet(truth)
    return out, truth


def test_false_merges_and_missed_matches_are_listed_with_a_pair_to_explain(tmp_path):
    out, truth = _folder(tmp_path)
    found = error_lists(out, truth, 10)
    assert found["false_merges"].rows() == [("E1", 3, 2, "a:1", "a:3")]
    assert found["missed_matches"].rows() == [("p3", 2, 2, "a:4", "a:5")]


def test_the_command_prints_them_as_json(sample_run):
    from typer.testing import CliRunner

    from tests.conftest import ROOT

    _, out = sample_run
    truth = ROOT / "sample_data" / "truth.parquet"
    done = CliRunner().invoke(app, ["evaluate", str(out), "--truth", str(truth), "--json",
                                    "--errors", "5"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.output)
    assert 0 < len(doc["missed_matches"]) <= 5
    for row in doc["false_merges"] + doc["missed_matches"]:
        assert row["record_a"] != row["record_b"] and ":" in row["record_a"]
