"""Shared fixtures: the bundled sample data run once per test session."""

import os
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
