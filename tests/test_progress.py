"""Progress: every stage is announced, and the stages that go through the pairs (compare,
score) count them up to the number of candidate pairs; logs get a few lines with the rate
and the time left, never one per chunk."""

import subprocess
import sys

import polars as pl

from resolver.compare.compute import compare_pairs
from resolver.config import load_config
from resolver.pipeline import STAGES, candidates, run_pipeline
from tests.conftest import ROOT, SAMPLE_CONFIG


def test_compare_counts_its_chunks_up_to_every_pair():
    config = load_config(SAMPLE_CONFIG)
    config, normalized, pairs, _ = candidates(config)
    told = []
    compare_pairs(pairs, normalized, config.comparisons, chunk_pairs=1000,
                  on_chunk=lambda done, total: told.append((done, total)))
    assert [done for done, _ in told] == [*range(1000, pairs.height, 1000), pairs.height]
    assert {total for _, total in told} == {pairs.height}


def test_the_run_announces_every_stage_and_counts_the_pairs_it_scores():
    told = []
    result = run_pipeline(load_config(SAMPLE_CONFIG),
                          progress=lambda *args: told.append(args))
    assert [a[0] for a in told if len(a) == 1] == list(STAGES)
    for stage in ("compare", "score"):
        counts = [(a[1], a[2]) for a in told if a[0] == stage and len(a) == 3]
        assert counts and counts[-1] == (result.scored.height, result.scored.height)
        assert [d for d, _ in counts] == sorted(d for d, _ in counts)


def test_a_run_into_a_log_prints_pair_counts_with_rate_and_time_left(tmp_path):
    done = subprocess.run([sys.executable, "-m", "resolver", "run", str(SAMPLE_CONFIG),
                           "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    pairs = pl.read_parquet(tmp_path / "out" / "store" / "pairs.parquet").height
    lines = [line for line in done.stderr.splitlines() if line.startswith("resolver: ")]
    assert [line for line in lines if " of " not in line][:2] == ["resolver: ingest",
                                                                  "resolver: normalize"]
    counted = [line for line in lines if line.startswith("resolver: compare ")
               and " of " in line]
    assert counted and counted[-1].startswith(f"resolver: compare {pairs:,} of {pairs:,} pairs")
    assert "a second, about" in counted[-1] and len(counted) <= 11
