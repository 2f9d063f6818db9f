"""The output folder resolver owns: what `--out` refuses to replace, atomic publish under
SIGKILL at every step, one run at a time, permissions kept, no orphaned workers."""

import json
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from resolver.publish import OutputFolder

TABLES = ("lineage.parquet", "entities.parquet", "households.parquet", "pairs.parquet",
          "changes.parquet")


def resolver(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "resolver", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


@pytest.fixture()
def project(tmp_path):
    """A config and its source in data/, the way a user's folder looks."""
    data = tmp_path / "data"
    data.mkdir()
    rows = "".join(f"{i},Person{i} Smith,1980-01-{1 + i % 28:02d}\n" for i in range(40))
    (data / "people.csv").write_text("id,name,birth\n" + rows +
                                     "90,Robert Smith,1980-01-02\n91,Bob Smith,1980-01-02\n")
    config = tmp_path / "config.toml"
    config.write_text(textwrap.dedent("""\
        [[sources]]
        name = "a"
        path = "data/people.csv"
        id_column = "id"
        [sources.columns]
        full_name = "name"
        dob = "birth"
        [blocking]
        rules = [["dob"], ["last_name"]]
        [[comparisons]]
        kind = "first_name"
        [[comparisons]]
        kind = "last_name"
        [[comparisons]]
        kind = "dob"
        """))
    return tmp_path, config


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of an output folder, the run store's included."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


# ---- what --out refuses ------------------------------------------------------------------

def test_out_naming_the_folder_of_the_sources_is_refused_and_nothing_is_deleted(project):
    folder, config = project
    before = snapshot(folder / "data")
    done = resolver("run", config, "--out", folder / "data")
    assert done.returncode == 2
    assert "holds an input of this run (people.csv)" in done.stderr
    assert snapshot(folder / "data") == before


def test_out_naming_the_working_folder_or_an_ancestor_is_refused(project):
    folder, config = project
    (folder / "my_documents.txt").write_text("keep me")
    for target in (".", ".."):
        done = resolver("run", config, "--out", target, cwd=folder)
        assert done.returncode == 2, target
        assert "root, home or working folder" in done.stderr
    done = resolver("run", config, "--out", "/", cwd=folder)
    assert done.returncode == 2 and "is the root folder" in done.stderr
    assert (folder / "my_documents.txt").read_text() == "keep me"


def test_a_folder_that_is_not_a_resolver_output_is_never_replaced(project):
    folder, config = project
    mine = folder / "reports"
    mine.mkdir()
    (mine / "q3.xlsx").write_text("spreadsheet")
    done = resolver("run", config, "--out", mine)
    assert done.returncode == 2
    assert "is not the output of a resolver run" in done.stderr
    assert snapshot(mine) == {"q3.xlsx": b"spreadsheet"}


def test_a_resolver_output_with_a_user_file_added_is_not_replaced(project):
    folder, config = project
    out = folder / "out"
    assert resolver("run", config, "--out", out, "-q").returncode == 0
    (out / "notes.txt").write_text("steward notes")
    done = resolver("run", config, "--out", out, "-q")
    assert done.returncode == 2
    assert "holds 1 file(s) resolver did not write (first: 'notes.txt')" in done.stderr
    assert (out / "notes.txt").read_text() == "steward notes"


def test_a_previous_output_and_an_empty_folder_are_replaced(project):
    folder, config = project
    out = folder / "out"
    out.mkdir()
    assert resolver("run", config, "--out", out, "-q").returncode == 0
    run_doc = json.loads((out / "run.json").read_text())
    assert run_doc["format"] == "resolver-output"
    # an output of version 0.1 carries no format tag: still recognised as resolver's
    del run_doc["format"]
    (out / "run.json").write_text(json.dumps(run_doc))
    done = resolver("run", config, "--out", out, "-q")
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "run.json").read_text())["format"] == "resolver-output"
    assert leftovers(folder, "out") == []


# ---- permissions -------------------------------------------------------------------------

def test_new_outputs_are_owner_only_and_a_steward_s_modes_survive_a_rerun(project):
    folder, config = project
    out = folder / "out"
    assert resolver("run", config, "--out", out, "-q").returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    files = [*(p for p in out.iterdir() if p.is_file()), *(out / "store").iterdir()]
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
    assert stat.S_IMODE((out / "store").stat().st_mode) == 0o700  # the run store: a folder
    out.chmod(0o750)
    for path in out.iterdir():
        if path.is_file():
            path.chmod(0o640)
    assert resolver("run", config, "--out", out, "-q").returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    files = [*(p for p in out.iterdir() if p.is_file()), *(out / "store").iterdir()]
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o640}
    assert stat.S_IMODE((out / "store").stat().st_mode) == 0o750


def test_output_permissions_umask_follows_the_umask(project):
    folder, config = project
    config.write_text('[run]\noutput_permissions = "umask"\n' + config.read_text())
    out = folder / "out"
    old = os.umask(0o022)
    try:
        assert resolver("run", config, "--out", out, "-q").returncode == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "run.json").stat().st_mode) == 0o644


# ---- SIGKILL at every publish step, and at random moments --------------------------------

@pytest.mark.parametrize("step,env", [("before_publish", {}), ("after_exchange", {}),
                                      ("between_renames", {"RESOLVER_NO_EXCHANGE": "1"})])
def test_a_kill_at_any_publish_step_leaves_the_previous_output_intact(project, step, env):
    folder, config = project
    out = folder / "out"
    assert resolver("run", config, "--out", out, "-q").returncode == 0
    before = snapshot(out)
    killed = resolver("run", config, "--out", out, "-q", env={"RESOLVER_FAULT": step, **env})
    assert killed.returncode == -signal.SIGKILL
    if step == "after_exchange":  # the new output is already in place, the old one stale
        assert {n: before[n] for n in TABLES} == {n: snapshot(out)[n] for n in TABLES}
    elif step == "before_publish":
        assert snapshot(out) == before
    else:  # killed between the two renames: the folder is back on the next start
        assert not out.exists()
    assert resolver("run", config, "--out", out, "-q", env=env).returncode == 0
    assert {n: before[n] for n in TABLES} == {n: snapshot(out)[n] for n in TABLES}
    assert leftovers(folder, "out") == []


def test_random_kills_never_leave_the_output_broken(project):
    folder, config = project
    out = folder / "out"
    assert resolver("run", config, "--out", out, "-q").returncode == 0
    tables = {n: b for n, b in snapshot(out).items() if n in TABLES}
    rng = random.Random(5)
    for _ in range(6):
        process = subprocess.Popen([sys.executable, "-m", "resolver", "run", str(config),
                                    "--out", str(out), "-q"], stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 2.5))
        process.kill()
        process.wait()
        if not out.exists():  # only between the fallback's renames, which is not used here
            pytest.fail("the output folder vanished")
        assert {n: b for n, b in snapshot(out).items() if n in TABLES} == tables
        assert json.loads((out / "run.json").read_text())["format"] == "resolver-output"
    assert resolver("run", config, "--out", out, "-q").returncode == 0
    assert leftovers(folder, "out") == []


# ---- one run at a time -------------------------------------------------------------------

def test_a_second_run_on_a_locked_folder_exits_2_naming_the_holder(project):
    folder, config = project
    out = folder / "out"
    with OutputFolder(out, [config]):
        done = resolver("run", config, "--out", out)
    assert done.returncode == 2
    assert f"another resolver run (process {os.getpid()}) is writing" in done.stderr
    assert not out.exists() and leftovers(folder, "out") == []


def test_two_concurrent_runs_leave_one_good_output_and_nothing_hidden(project):
    folder, config = project
    out = folder / "out"
    runs = [subprocess.Popen([sys.executable, "-m", "resolver", "run", str(config), "--out",
                              str(out), "-q"], stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(r.wait(), r.stderr.read()) for r in runs]
    assert all(code == 0 or (code == 2 and "another resolver run" in text)
               for code, text in results), results
    assert any(code == 0 for code, _ in results)
    assert json.loads((out / "run.json").read_text())["format"] == "resolver-output"
    assert leftovers(folder, "out") == []


def test_a_failed_run_leaves_no_staging_folder(project):
    folder, config = project
    (folder / "data" / "people.csv").write_text("id,name,birth\n1,A B,1980-01-02\n"
                                                "1,C D,1980-01-02\n")
    assert resolver("run", config, "--out", folder / "out").returncode == 2
    assert not (folder / "out").exists() and leftovers(folder, "out") == []


# ---- worker processes die with their parent ----------------------------------------------

def test_parse_workers_exit_when_their_parent_is_killed(tmp_path):
    token = uuid.uuid4().hex
    script = textwrap.dedent("""\
        import os, sys, time
        from resolver.normalize.text import _pool
        pool = _pool()
        pool.submit(os.getpid).result()  # starts every worker
        print(" ".join(map(str, sorted(pool._processes))), flush=True)
        time.sleep(60)
        """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               text=True, env={**os.environ, "TEST_TOKEN": token})
    workers = [int(p) for p in process.stdout.readline().split()]
    assert workers, "the pool started no workers"
    process.kill()
    process.wait()

    def running(pid: int) -> bool:  # an exited orphan may linger as a zombie: not running
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            return state != "Z" and token.encode() in Path(f"/proc/{pid}/environ").read_bytes()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return False

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(running(p) for p in workers):
        time.sleep(0.2)
    assert [p for p in workers if running(p)] == []


# ---- the same bytes whatever the thread and worker count ----------------------------------

def test_outputs_are_byte_identical_with_one_or_two_threads_and_workers(tmp_path):
    root = Path(__file__).resolve().parent.parent
    outputs = {}
    for threads, workers in (("1", "1"), ("2", "2")):
        out = tmp_path / f"out{threads}"
        done = resolver("run", root / "configs" / "sample.toml", "--out", out, "-q",
                        env={"POLARS_MAX_THREADS": threads, "RESOLVER_PARSE_WORKERS": workers})
        assert done.returncode == 0, done.stderr
        outputs[threads] = snapshot(out)
        outputs[threads]["report.html"] = outputs[threads]["report.html"].replace(
            str(out).encode(), b"OUT")  # the report names its own folder
        run_doc = json.loads(outputs[threads].pop("run.json"))
        del run_doc["timings_seconds"], run_doc["peak_memory_mb"]
        outputs[threads]["run.json"] = json.dumps(run_doc, sort_keys=True).encode()
    assert outputs["1"] == outputs["2"]
