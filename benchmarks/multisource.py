"""The project's multi-source customer data (four sources, households, hard cases) at
50,000 people: resolver and Splink (DuckDB) side by side, same records, same machine, one
run. Writes results/multisource.json and results/multisource.md.

Splink is given the same records mapped to one schema with the basic cleaning its
documentation recommends (lower case, trimmed, punctuation removed, nulls standardised,
dates parsed to ISO, names split into first name and surname, phone digits, ZIP), and a
model set up as in its examples: name, date-of-birth, email, phone, postcode and address
comparisons with term frequencies, blocking on name, birth date, email, phone and
postcode, prior from deterministic rules, u by random sampling, EM on two rules
(benchmarks/splink_models.py).

    python -m benchmarks.multisource [PEOPLE] [SEED]   (in the benchmark environment)
"""

import sys
from pathlib import Path

import polars as pl

from benchmarks import splink_models
from benchmarks.common import score, timed, write_results
from resolver.config import load_config
from resolver.job import execute
from resolver.sample.sources import write_sample

ROOT = Path(__file__).resolve().parent.parent


def run_splink(data: Path) -> tuple[pl.DataFrame, dict]:
    times: dict = {}
    with timed(times, "seconds"):
        predicted = splink_models.multisource(data)
    return predicted, times


def run_resolver(data: Path, out: Path) -> tuple[pl.DataFrame, dict]:
    text = (ROOT / "configs" / "sample.toml").read_text().replace("../sample_data/",
                                                                 f"{data.resolve()}/")
    config_path = data / "config.toml"
    config_path.write_text(text)
    times: dict = {}
    with timed(times, "seconds"):
        execute(load_config(config_path), out, "parquet")
    lineage = pl.read_parquet(out / "lineage.parquet")
    return lineage.select(pl.concat_str("source", pl.lit(":"), "record_id").alias("key"),
                          pl.col("entity_id").alias("cluster")), times


def main(people: int, seed: int) -> None:
    data = ROOT / "benchmarks" / "data" / f"people{people}_seed{seed}"
    if not (data / "truth.parquet").is_file():
        write_sample(people, seed, data)
    truth = pl.read_parquet(data / "truth.parquet").select(
        pl.concat_str("source", pl.lit(":"), "record_id").alias("key"),
        pl.col("person_id").alias("person"))
    ours, our_time = run_resolver(data, data / "out")
    theirs, their_time = run_splink(data)
    rows = [{"data": f"{people:,} people, {truth.height:,} records", "tool": tool,
             **score(predicted, truth), "seconds": times["seconds"]}
            for tool, predicted, times in (("resolver", ours, our_time),
                                           ("splink", theirs, their_time))]
    write_results("multisource", rows)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [50_000, 2026][len(args):]))
