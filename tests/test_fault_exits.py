"""Faults outside the data: an --out that cannot be written, a full disk, damaged earlier
outputs. Each is exit 2 with a message naming the path, never an internal error."""

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest

from tests.test_bad_inputs import CORPUS, invoke


@pytest.fixture()
def inputs(tmp_path):
    folder = tmp_path / "inputs"
    shutil.copytree(CORPUS, folder)
    return folder, folder / "base.toml"


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished run of the corpus' base config (to damage copies of)."""
    from resolver.config import load_config
    from resolver.job import execute

    folder = tmp_path_factory.mktemp("finished") / "inputs"
    shutil.copytree(CORPUS, folder)
    out = folder.parent / "out"
    execute(load_config(folder / "base.toml"), out, "parquet")
    return folder, out


def _cannot_write_in_sys() -> bool:
    try:
        os.rmdir(tempfile.mkdtemp(dir="/sys"))
    except OSError:
        return True
    return False


OUT_PATHS = {  # quirk -> (--out relative to tmp_path or absolute, words)
    "under_a_file": ("afile.txt/out", "afile.txt is a file, so no folder can be made under it"),
    "is_a_file": ("afile.txt", "is a file. Give a folder path"),
    "root_folder": ("/", "--out / is the root folder"),
    "name_of_250_characters": ("x" * 250, "bytes long; this file system allows"),
    "not_writable_location": ("/sys/resolver-out", "cannot create a folder in /sys"),
}


@pytest.mark.parametrize("quirk", sorted(OUT_PATHS))
def test_an_out_that_cannot_be_written_stops_before_any_work(quirk, inputs, tmp_path,
                                                            monkeypatch):
    if quirk == "not_writable_location" and not _cannot_write_in_sys():
        pytest.skip("/sys is writable here")
    folder, config = inputs
    (tmp_path / "afile.txt").write_text("keep me\n")
    out, words = OUT_PATHS[quirk]
    code, printed = invoke(["run", config, "--out", tmp_path / out], monkeypatch)
    assert code == 2, printed
    assert words in printed and "Internal error" not in printed
    assert "resolver: ingest" not in printed  # no work was done
    assert (tmp_path / "afile.txt").read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile.txt", "inputs"]


@pytest.mark.parametrize("failure", [
    OSError(errno.ENOSPC, "No space left on device"),
    pl.exceptions.ComputeError("failed to write: No space left on device (os error 28)"),
])
def test_a_full_disk_while_writing_is_a_clear_error(failure, inputs, tmp_path, monkeypatch):
    folder, config = inputs

    def full_disk(*args, **kwargs):
        raise failure

    monkeypatch.setattr("resolver.job.write_files", full_disk)
    code, printed = invoke(["run", config, "--out", tmp_path / "out"], monkeypatch)
    assert code == 2, printed
    assert f"Error: no space left on device writing {tmp_path / 'out'}" in printed


def _limit_file_size():
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000))


def test_a_file_size_limit_while_writing_is_a_clear_error(inputs, tmp_path):
    folder, config = inputs
    done = subprocess.run([sys.executable, "-m", "resolver", "run", str(config), "--out",
                           str(tmp_path / "out"), "--quiet"], capture_output=True, text=True,
                          preexec_fn=_limit_file_size, timeout=300)
    assert done.returncode == 2, done.stderr
    assert f"Error: file size limit exceeded writing {tmp_path / 'out'}" in done.stderr
    assert not (tmp_path / "out").exists()


def _damaged_copy(out: Path, tmp_path: Path, name: str, content: bytes | None) -> Path:
    copy = tmp_path / "damaged"
    shutil.copytree(out, copy)
    if content is None:
        (copy / name).unlink()
    else:
        (copy / name).write_bytes(content)
    return copy


NO_ENTITY_ID = pl.DataFrame({"source": ["crm"], "record_id": ["C101"]})


@pytest.mark.parametrize(("damage", "name", "words"), [
    ("garbage_lineage", "lineage.parquet", "lineage.parquet cannot be read"),
    ("lineage_without_entity_id", "lineage.parquet", "lacks column(s) ['entity_id']"),
])
def test_a_corrupt_previous_run_is_a_clear_error(damage, name, words, finished, tmp_path,
                                                monkeypatch):
    folder, out = finished
    content = b"PAR1 not really parquet" if damage == "garbage_lineage" else None
    previous = _damaged_copy(out, tmp_path, name, content)
    if content is None:
        NO_ENTITY_ID.write_parquet(previous / name)
    code, printed = invoke(["run", folder / "base.toml", "--out", tmp_path / "new",
                            "--previous", previous], monkeypatch)
    assert code == 2, printed
    assert words in printed and not (tmp_path / "new").exists()


@pytest.mark.parametrize(("command", "name", "content", "words"), [
    ("explain", "run.json", b"[1, 2]", "run.json does not name the run's config"),
    ("explain", "model.json", b'{"format": "resolver-model", "version": 1}',
     "model.json is damaged (key 'comparisons' missing)"),
    ("explain", "lineage.parquet", b"not parquet", "lineage.parquet cannot be read"),
    ("review", "pairs.parquet", b"not parquet", "pairs.parquet cannot be read"),
    ("evaluate", "lineage.parquet", b"not parquet", "lineage.parquet cannot be read"),
])
def test_commands_on_a_damaged_output_name_the_damaged_file(command, name, content, words,
                                                            finished, tmp_path, monkeypatch):
    folder, out = finished
    damaged = _damaged_copy(out, tmp_path, name, content)
    args = {"explain": ["explain", damaged, "crm:C101", "crm:C102"],
            "review": ["review", damaged],
            "evaluate": ["evaluate", damaged, "--truth", folder / "people.csv"]}[command]
    code, printed = invoke(args, monkeypatch)
    assert code == 2, printed
    assert words in printed and "Internal error" not in printed


def _with_config(finished, tmp_path: Path, extra: str) -> Path:
    """A copy of the finished run whose config has `extra` TOML at its end."""
    folder, out = finished
    copy = tmp_path / "config.toml"
    copy.write_text((folder / "base.toml").read_text() + extra)
    shutil.copytree(folder / "decisions_folder", tmp_path / "decisions_folder")
    shutil.copy(folder / "people.csv", tmp_path / "people.csv")
    return _damaged_copy(out, tmp_path, "run.json", json.dumps({"config": str(copy)}).encode())


def test_review_when_the_decisions_path_is_a_folder(finished, tmp_path, monkeypatch):
    run = _with_config(finished, tmp_path, '\n[decisions]\npath = "decisions_folder"\n')
    code, printed = invoke(["review", run, "--accept", "crm:C101", "crm:C102"], monkeypatch)
    assert code == 2, printed
    assert "decisions.path" in printed and "is a folder" in printed


def test_review_refuses_a_record_paired_with_itself(finished, tmp_path, monkeypatch):
    run = _with_config(finished, tmp_path, '\n[decisions]\npath = "decisions.csv"\n')
    code, printed = invoke(["review", run, "--accept", "crm:C101", "crm:C101"], monkeypatch)
    assert code == 2, printed
    assert "names the same record twice" in printed
    assert not (tmp_path / "decisions.csv").exists()
    code, printed = invoke(["review", run, "--accept", "crm:C101", "crm:C102"], monkeypatch)
    assert code == 0 and (tmp_path / "decisions.csv").is_file(), printed
