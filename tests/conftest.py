"""Shared fixtures: the bundled sample data run once per test session."""

import os
from contextlib import contextmanager
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples every run (a red build is then reproducible); developers'
# runs explore new ones.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_CONFIG = ROOT / "configs" / "sample.toml"


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The result of `resolver run configs/sample.toml` (RunResult) and its output dir."""
    from resolver.config import load_config
    from resolver.job import execute

    out = tmp_path_factory.mktemp("sample") / "out"
    config = load_config(SAMPLE_CONFIG)
    execute(config, out, "parquet")
    return config, out


@pytest.fixture(scope="session")
def unseen_sample(tmp_path_factory):
    """Generated data (~5k records) at a seed no model or threshold was tuned on, with
    the sample config pointed at it: (config, truth path)."""
    from resolver.config import load_config
    from resolver.sample.sources import write_sample

    folder = tmp_path_factory.mktemp("seed31")
    write_sample(2500, 31, folder / "data")
    text = SAMPLE_CONFIG.read_text().replace("../sample_data/", f"{folder / 'data'}/")
    (folder / "sample.toml").write_text(text)
    return load_config(folder / "sample.toml"), folder / "data" / "truth.parquet"


@pytest.fixture(scope="session")
def unseen_run(unseen_sample, tmp_path_factory):
    """`resolver run` on the unseen generated data: (config, output folder, truth path)."""
    from resolver.job import execute

    config, truth = unseen_sample
    out = tmp_path_factory.mktemp("seed31_run") / "out"
    execute(config, out, "parquet")
    return config, out, truth


@pytest.fixture()
def sample_copy(tmp_path):
    """A private copy of configs/ and sample_data/, for tests that change files."""
    for folder in ("configs", "sample_data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "sample_data" / "decisions.csv").unlink(missing_ok=True)
    return tmp_path


def run_sample_copy(root: Path) -> Path:
    """A private copy of configs/ and sample_data/ in `root` (no decisions yet), run once
    into root/out; -> root/out."""
    from resolver.config import load_config
    from resolver.job import execute

    for folder in ("configs", "sample_data"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "sample_data" / "decisions.csv").unlink(missing_ok=True)
    execute(load_config(root / "configs" / "sample.toml"), root / "out", "parquet")
    return root / "out"


@contextmanager
def serving(out: Path, port: int = 0):
    """The workbench of a run, served from a thread on 127.0.0.1 for the test's time."""
    import threading

    from resolver.workbench.server import make_server

    server = make_server(out, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
