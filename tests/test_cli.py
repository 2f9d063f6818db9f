"""The command line: exit codes, exact error texts, help on every command."""

import json
import subprocess
import sys

import polars as pl
import pytest

from tests.conftest import ROOT, SAMPLE_CONFIG

COMMANDS = ("run", "init", "validate", "profile", "blocking", "train", "explain", "review",
            "evaluate", "sample", "diff")


def resolver(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "resolver", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_every_command_has_help():
    listing = resolver("--help")
    assert listing.returncode == 0
    for command in COMMANDS:
        assert command in listing.stdout
        shown = resolver(command, "--help")
        assert shown.returncode == 0 and "Usage" in shown.stdout, command


def test_missing_config_is_a_user_error(tmp_path):
    done = resolver("run", tmp_path / "nope.toml", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.startswith("Error: 1 problem(s) in config")
    assert "file not found" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_every_config_problem_is_reported_at_once_with_its_key(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[[sources]]\nname = "a"\npath = "a.csv"\n[sources.columns]\n'
                      'first = "F"\n[blocking]\nrules = [["nope"]]\n[thresholds]\nmatch = 0.2\n'
                      'review = 0.9\n[[comparisons]]\nkind = "dob"\nlevels = ["exact", "nickname",'
                      ' "else"]\n')
    done = resolver("validate", config)
    assert done.returncode == 2
    for key in ("sources[0].id_column: missing", "sources[0].columns.first: not a canonical",
                "blocking.rules[0]: unknown blocking key 'nope'", "thresholds: need",
                "comparisons[0].levels[1]: level 'nickname' is not available"):
        assert key in done.stderr, key


@pytest.fixture()
def tiny(tmp_path):
    (tmp_path / "a.csv").write_text("id,name,birth\n1,Robert Smith,1980-01-02\n"
                                    "2,Bob Smith,1980-01-02\n3,Ann Lee,1975-05-05\n")
    config = tmp_path / "tiny.toml"
    config.write_text('[[sources]]\nname = "a"\npath = "a.csv"\nid_column = "id"\n'
                      '[sources.columns]\nfull_name = "name"\ndob = "birth"\n'
                      '[blocking]\nrules = [["dob"], ["last_name"]]\n'
                      '[[comparisons]]\nkind = "first_name"\n[[comparisons]]\nkind = "last_name"\n'
                      '[[comparisons]]\nkind = "dob"\n')
    return tmp_path, config


def test_a_mapped_column_missing_from_the_file_names_file_and_column(tiny):
    folder, config = tiny
    config.write_text(config.read_text().replace('dob = "birth"', 'dob = "DOB"'))
    done = resolver("run", config, "--out", folder / "out")
    assert done.returncode == 2
    assert "column(s) not found: columns.dob = 'DOB'" in done.stderr
    assert "a.csv" in done.stderr and not (folder / "out").exists()


def test_duplicate_ids_name_the_rows_but_not_the_value(tiny):
    folder, config = tiny
    (folder / "a.csv").write_text("id,name,birth\nX-SECRET,A B,1980-01-02\n"
                                  "X-SECRET,C D,1980-01-02\n")
    done = resolver("run", config, "--out", folder / "out")
    assert done.returncode == 2
    assert "repeats the same id at rows [1, 2]" in done.stderr
    assert "X-SECRET" not in done.stderr and not (folder / "out").exists()


def test_a_failed_run_leaves_an_earlier_output_as_it_was(tiny):
    folder, config = tiny
    assert resolver("run", config, "--out", folder / "out", "--quiet").returncode == 0
    before = (folder / "out" / "lineage.parquet").read_bytes()
    (folder / "a.csv").write_text("id,name,birth\n1,A B,1980-01-02\n1,C D,1980-01-02\n")
    assert resolver("run", config, "--out", folder / "out").returncode == 2
    assert (folder / "out" / "lineage.parquet").read_bytes() == before


def test_tiny_run_writes_every_output_and_csv_on_request(tiny):
    folder, config = tiny
    done = resolver("run", config, "--out", folder / "out", "--format", "csv")
    assert done.returncode == 0, done.stderr
    names = {p.name for p in (folder / "out").iterdir()}
    assert {"lineage.csv", "entities.csv", "households.csv", "pairs.csv", "changes.csv",
            "report.html", "run.json", "model.json"} <= names
    lineage = pl.read_csv(folder / "out" / "lineage.csv", infer_schema=False)
    assert sorted(lineage.get_column("record_id").to_list()) == ["1", "2", "3"]
    run_doc = json.loads((folder / "out" / "run.json").read_text())
    assert set(run_doc["timings_seconds"]) >= {"normalize", "block", "cluster", "golden"}
    memory = run_doc["peak_memory_mb"]
    assert memory["process"] > 50  # an interpreter with polars loaded
    by_stage = memory["process_by_stage"]  # the high water at each stage's end
    assert list(by_stage) == list(run_doc["timings_seconds"])
    assert list(by_stage.values()) == sorted(by_stage.values())
    assert 50 < max(by_stage.values()) <= memory["process"]


def test_usage_errors_exit_2():
    assert resolver("run").returncode == 2
    assert resolver("frobnicate").returncode == 2


def test_oversized_blocks_are_warned_about_by_size_never_by_value(tiny):
    folder, config = tiny
    rows = "".join(f"{i},Ann Lee{i},1980-01-02\n" for i in range(12))
    (folder / "a.csv").write_text("id,name,birth\n" + rows)
    config.write_text(config.read_text().replace("[blocking]\n",
                                                 "[blocking]\nmax_block_size = 5\n"))
    done = resolver("run", config, "--out", folder / "out", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "warning: blocking rule dob skipped 1 block(s) larger than" in done.stderr
    assert "12 records in all" in done.stderr and "1980" not in done.stderr


def test_input_without_any_record_is_a_user_error(tiny):
    folder, config = tiny
    (folder / "a.csv").write_text("id,name,birth\n")
    done = resolver("run", config, "--out", folder / "out")
    assert done.returncode == 2
    assert "\nError: every source is empty: a (" in done.stderr and "Traceback" not in done.stderr


def test_evaluate_json_has_a_reliability_table(sample_run):
    _, out = sample_run
    shown = resolver("evaluate", out, "--truth", ROOT / "sample_data" / "truth.parquet", "--json")
    assert shown.returncode == 0, shown.stderr
    calibration = json.loads(shown.stdout)["calibration"]
    assert sum(b["pairs"] for b in calibration["bins"]) == calibration["pairs"] > 0
    assert all(0 <= b["observed_match_rate"] <= 1 for b in calibration["bins"])


def test_blocking_states_its_recall_estimate_as_an_estimate():
    shown = resolver("blocking", SAMPLE_CONFIG)
    assert shown.returncode == 0, shown.stderr
    assert "estimated_recall" in shown.stdout
    assert "Estimated without labels" in shown.stdout and "An estimate, not a measurement" in (
        shown.stdout.replace("\n", " "))
    quick = resolver("blocking", SAMPLE_CONFIG, "--no-estimate")
    assert quick.returncode == 0 and "estimated_recall" not in quick.stdout


def test_blocking_predicts_pairs_at_a_target_size():
    from resolver.block import pairs_at_size
    from resolver.config import load_config
    from resolver.pipeline import candidates

    shown = resolver("blocking", SAMPLE_CONFIG, "--no-estimate", "--at", "1000000")
    assert shown.returncode == 0, shown.stderr
    assert "if_blocks_multiply" in shown.stdout and "if_blocks_grow" in shown.stdout
    config = load_config(SAMPLE_CONFIG)
    config, normalized, _, stats = candidates(config)
    target = 3 * normalized.height  # small enough that no sample block outgrows the cap
    predicted = pairs_at_size(normalized, config.blocking_rules, config.block_cap, target)
    for s in stats:
        multiply, grow = predicted[s.rule]
        # pairs in proportion to the records (within-source pairs make it an upper bound)
        assert multiply >= s.pairs * target / normalized.height * 0.999
        assert grow > 2 * multiply  # every block three times as large: about 9x the pairs
    assert resolver("blocking", SAMPLE_CONFIG, "--at", "0").returncode == 2
