"""The Python API returns the same frames the command line writes."""

import polars as pl
from polars.testing import assert_frame_equal

import resolver
from tests.conftest import SAMPLE_CONFIG


def test_run_returns_the_frames_the_output_folder_holds(sample_run, tmp_path):
    _, out = sample_run
    result = resolver.run(SAMPLE_CONFIG, out=tmp_path / "out")
    for name in ("lineage", "entities", "households"):
        written = pl.read_parquet(tmp_path / "out" / f"{name}.parquet")
        assert_frame_equal(getattr(result, name), written)
        assert_frame_equal(written, pl.read_parquet(out / f"{name}.parquet"))


def test_run_without_out_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = resolver.run(str(SAMPLE_CONFIG))
    assert result.lineage.height == result.normalized.height
    assert list(tmp_path.iterdir()) == []
