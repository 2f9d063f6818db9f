"""The bad-input corpus (tests/bad_inputs/cases.toml) through the real command line, in
process: each quirk exits with its code and the words of its message, leaves no output
folder behind, and no message quotes any value of any input file."""

import io
import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text())["case"]


def invoke(args: list, monkeypatch) -> tuple[int, str]:
    """`resolver ARGS` through the console entry point -> (exit code, stdout + stderr)."""
    from resolver import cli

    stdout, stderr = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "argv", ["resolver", *map(str, args)])
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    code = 0
    try:
        cli.entry()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    return code, stdout.getvalue() + stderr.getvalue()


def cell_values() -> set[str]:
    """Every value (and every word of it) of length >= 3 in the corpus' data files: none
    may appear in a message. Header names are the config's words, not data, unless the
    file has no header."""
    values = set()
    for path in CORPUS.glob("*.csv"):
        if path.name.startswith("decisions_") or path.name.startswith("binary_"):
            continue
        data = path.read_bytes()
        text = data.decode("utf-8", errors="strict") if data.isascii() else data.decode("latin-1")
        lines = text.splitlines()
        if not path.name.startswith("headerless"):
            lines = lines[1:]
        for line in lines:
            for cell in re.split(r"[,;\"]", line):
                cell = cell.strip()
                values.update(v for v in (cell, *cell.split()) if len(v) >= 3)
    return values


VALUES = cell_values()


def arguments(command: str, config: Path, data: Path | None, tmp: Path) -> list:
    if command == "init":
        return ["init", data]
    if command == "run":
        return ["run", config, "--out", tmp / "out"]
    if command == "train":
        return ["train", config, "--out", tmp / "model_out.json"]
    return [command, config]


@pytest.mark.parametrize(("quirk", "command"), [(c["quirk"], command) for c in CASES
                                                for command in c["commands"]])
def test_bad_input_exits_2_naming_the_problem_and_never_a_value(quirk, command, tmp_path,
                                                                  monkeypatch):
    case = next(c for c in CASES if c["quirk"] == quirk)
    folder = tmp_path / "inputs"
    shutil.copytree(CORPUS, folder)
    monkeypatch.chdir(tmp_path)
    data = folder / case["data"] if "data" in case else None
    config = folder / ("base.toml" if data else f"{quirk}.toml")
    if data:
        config.write_text(config.read_text().replace('"people.csv"', f'"{data.name}"'))
    code, printed = invoke(arguments(command, config, data, tmp_path), monkeypatch)
    assert code == case.get("exit", 2), printed
    assert printed.startswith("Error: ") or "\nError: " in printed, printed
    for words in case["words"]:
        assert words in printed, (words, printed)
    assert "Traceback" not in printed and "Internal error" not in printed
    assert not (tmp_path / "out").exists()
    flat = " ".join(printed.split())  # a value wrapped across lines is still found
    leaked = sorted(v for v in VALUES if v in printed or v in flat)
    assert leaked == [], leaked


def test_the_corpus_scan_sees_the_values_it_must_not_print():
    assert {"Zelda Quimby", "zquimby@example.org", "C201", "Winifred", "1949-12-01",
            "Roxborough Lane", "Nu\xf1ez"} <= VALUES


def test_every_fixture_belongs_to_a_case():
    named = {c.get("data") or f"{c['quirk']}.toml" for c in CASES}
    helpers = {"base.toml", "people.csv", "cases.toml", "decisions_blank_decision.csv",
               "model_missing_keys.json", "decisions_folder"}
    assert {p.name for p in CORPUS.iterdir()} - helpers <= named


def test_the_base_config_is_valid(tmp_path, monkeypatch):
    code, printed = invoke(["validate", CORPUS / "base.toml"], monkeypatch)
    assert code == 0, printed


def test_a_declared_latin1_source_keeps_its_accents(tmp_path, monkeypatch):
    import polars as pl

    folder = tmp_path / "inputs"
    shutil.copytree(CORPUS, folder)
    config = folder / "base.toml"
    config.write_text(config.read_text().replace('"people.csv"', '"latin1_names.csv"')
                      .replace('updated_at = "updated"\n',
                               'updated_at = "updated"\nencoding = "latin-1"\n'))
    code, printed = invoke(["run", config, "--out", tmp_path / "out", "--quiet"], monkeypatch)
    assert code == 0, printed
    text = str(pl.read_parquet(tmp_path / "out" / "entities.parquet").rows())
    assert "Nuñez" in text and "Lefèvre" in text and "\ufffd" not in text
