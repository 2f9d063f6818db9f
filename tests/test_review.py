"""`resolver review OUT` in the terminal: the queue in the report's order with both
records' values, JSON and formula-safe CSV export, importing a decisions file (checked
first, errors without values), and the interactive loop driven by a fake input stream."""

import io
import json
import shutil

import polars as pl
import pytest

from resolver import frames as F
from resolver.config import load_config
from resolver.decisions import read_decisions
from resolver.review import decide_pair, review_queue
from resolver.review_session import review_session
from resolver.job import execute
from tests.conftest import ROOT
from tests.test_cli import resolver


@pytest.fixture(scope="module")
def steward_copy(tmp_path_factory):
    """A private copy of the sample data and config, run once for this module."""
    root = tmp_path_factory.mktemp("steward")
    for folder in ("configs", "sample_data"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "sample_data" / "decisions.csv").unlink(missing_ok=True)
    execute(load_config(root / "configs" / "sample.toml"), root / "out", "parquet")
    return root


@pytest.fixture()
def run_dir(steward_copy):
    decisions = steward_copy / "sample_data" / "decisions.csv"
    decisions.unlink(missing_ok=True)
    yield steward_copy / "out"
    decisions.unlink(missing_ok=True)


def _decisions(run_dir) -> list[tuple]:
    path = run_dir.parent / "sample_data" / "decisions.csv"
    return read_decisions(path).select("record_a", "record_b", "decision", "note").rows()


def test_the_queue_is_most_uncertain_first_with_both_records_values(run_dir):
    queue = review_queue(run_dir)
    pairs = pl.read_parquet(run_dir / "pairs.parquet")
    assert queue.waiting == pairs.filter(pl.col(F.DECISION) == "review").height
    assert queue.pairs.height == queue.waiting and queue.decided_since == 0
    distance = (queue.pairs.get_column(F.MATCH_PROBABILITY) - 0.5).abs().to_list()
    assert distance == sorted(distance)
    crm = pl.read_csv(run_dir.parent / "sample_data" / "crm.csv", infer_schema=False)
    row = queue.pairs.filter(pl.col("record_a").str.starts_with("crm:")).row(0, named=True)
    record = crm.filter(pl.col("customer_id") == row["record_a"][4:]).row(0, named=True)
    assert row["email_a"] == record["Email"] and row["dob_a"] == record["BirthDate"]
    assert record["LastName"] in row["name_a"]


def test_json_and_csv_exports_hold_every_pair_and_csv_is_formula_safe(run_dir):
    done = resolver("review", run_dir, "--json")
    assert done.returncode == 0, done.stderr
    pairs = json.loads(done.stdout)
    assert len(pairs) == review_queue(run_dir).waiting
    crm_pair = next(p for p in pairs if p["record_a"].startswith("crm:"))
    source = run_dir.parent / "sample_data" / "crm.csv"
    original = source.read_text()
    crm = pl.read_csv(source, infer_schema=False)
    store, aside = run_dir / "store", run_dir.parent / "store-aside"
    try:  # without the run's store, values are read from the sources at review time
        store.rename(aside)
        crm.with_columns(pl.when(pl.col("customer_id") == crm_pair["record_a"][4:])
                         .then(pl.lit("=HYPERLINK(1)")).otherwise(pl.col("Email"))
                         .alias("Email")).write_csv(source)
        done = resolver("review", run_dir, "--csv")
    finally:
        source.write_text(original)
        aside.rename(store)
    assert done.returncode == 0, done.stderr
    assert "'=HYPERLINK(1)" in done.stdout
    assert pl.read_csv(io.StringIO(done.stdout), infer_schema=False).height == len(pairs)


def test_listing_off_a_terminal_prints_the_queue(run_dir):
    done = resolver("review", run_dir, "--limit", "2")
    assert done.returncode == 0, done.stderr
    first = review_queue(run_dir, 1).pairs.row(0, named=True)
    assert "left for review by the run" in done.stdout
    assert first["record_a"] in done.stdout and first["record_b"] in done.stdout


def test_import_appends_checked_decisions(run_dir, tmp_path):
    a, b = review_queue(run_dir, 2).pairs.select("record_a", "record_b").rows()
    source = tmp_path / "mine.csv"
    source.write_text(f"record_a,record_b,decision,note\n{a[0]},{a[1]},match,\n\n"
                      f"{b[0]},{b[1]},no_match,=not the same\n")
    done = resolver("review", run_dir, "--import", source, "--reviewer", "ann")
    assert done.returncode == 0, done.stderr
    assert "appended 2 decision(s)" in done.stdout
    assert _decisions(run_dir) == [(a[0], a[1], "match", ""),
                                   (b[0], b[1], "no_match", "=not the same")]
    text = (run_dir.parent / "sample_data" / "decisions.csv").read_text()
    assert ",ann," in text and "'=not the same" in text
    assert review_queue(run_dir).decided_since == 2


@pytest.mark.parametrize("row, message", [
    ("crm:C0000001,crm:C0000001,match", "line 3: record_a and record_b are the same record"),
    ("crm:C0000001,crm:SECRET99,match", "line 3: record_b is not a record of"),
    ("SECRET99,crm:C0000001,match", "line 3: record_a is not source:record_id"),
    ("crm:C0000001,crm:C0000002,maybe", "line 3 has a decision other than match"),
])
def test_import_refuses_a_bad_row_naming_its_line_not_its_value(run_dir, tmp_path, row,
                                                                 message):
    source = tmp_path / "mine.csv"
    source.write_text(f"record_a,record_b,decision\ncrm:C0000001,crm:C0000002,match\n{row}\n")
    done = resolver("review", run_dir, "--import", source)
    assert done.returncode == 2 and done.stderr.startswith("Error: ")
    assert message in done.stderr and "SECRET99" not in done.stderr
    assert not (run_dir.parent / "sample_data" / "decisions.csv").exists()


def test_accepting_a_record_with_itself_is_refused(run_dir):
    done = resolver("review", run_dir, "--accept", "crm:C0000001", "crm:C0000001")
    assert done.returncode == 2 and "names the same record twice" in done.stderr


def _drive(keys: str, lines: str = ""):
    pairs = [{"record_a": f"crm:{i}", "record_b": f"web:{i}"} for i in range(4)]
    key_stream, line_stream = io.StringIO(keys), io.StringIO(lines)
    shown, decided, told = [], [], []
    result = review_session(pairs, lambda prompt: key_stream.read(1),
                            lambda prompt: line_stream.readline(),
                            lambda i, pair: shown.append(i),
                            lambda pair, decision, note: decided.append(
                                (pair["record_a"], decision, note)), told.append)
    return result, shown, decided, told


def test_interactive_keys_accept_reject_skip_note_and_quit():
    result, shown, decided, told = _drive("axnrsq", "father and son\n")
    assert decided == [("crm:0", "match", None), ("crm:1", "no_match", "father and son")]
    assert (result.accepted, result.rejected, result.skipped, result.quit) == (1, 1, 1, True)
    assert shown == [0, 1, 2, 3] and any("Press one of a, r, s, n or q" in t for t in told)


def test_interactive_end_of_input_quits_and_keeps_what_was_decided():
    result, shown, decided, _ = _drive("A")
    assert decided == [("crm:0", "match", None)] and result.quit and shown == [0, 1]


def test_interactive_decisions_reach_the_decisions_file(run_dir):
    pairs = review_queue(run_dir, 2).pairs.to_dicts()
    keys = io.StringIO("rn")
    review_session(pairs, lambda p: keys.read(1), lambda p: "twins\n", lambda i, p: None,
                   lambda pair, decision, note: decide_pair(
                       run_dir, pair["record_a"], pair["record_b"], decision, "ann", note),
                   lambda text: None)
    assert _decisions(run_dir) == [(pairs[0]["record_a"], pairs[0]["record_b"], "no_match",
                                    "")]


def test_one_mode_at_a_time(run_dir):
    done = resolver("review", run_dir, "--json", "--csv")
    assert done.returncode == 2 and "give one of --json, --csv, not several" in done.stderr


def test_record_values_come_from_the_runs_store_alike(sample_run, monkeypatch):
    """review reads the two records' values from the run's store, one filtered scan,
    not every source again; the values are the ones the sources give."""
    import resolver.record_values as values_module
    from resolver.record_values import record_values

    config, out = sample_run
    lineage = pl.read_parquet(out / "lineage.parquet").sort("source", "record_id")
    keys = [f"{s}:{r}" for s, r in lineage.select("source", "record_id").gather_every(97).rows()]
    from_sources = record_values(config, keys).sort("record_key")
    assert from_sources.height == len(keys)
    read = []
    real = values_module.read_source_frame
    monkeypatch.setattr(values_module, "read_source_frame",
                        lambda source: read.append(source.name) or real(source))
    from_store = record_values(config, keys, out).sort("record_key")
    assert read == []  # no source was read
    assert from_store.equals(from_sources)
    assert record_values(config, ["crm:no-such-id"], out).height == 0
