"""Shared helpers of the benchmarks: timing, scoring any clustering the same way, and
writing results (JSON for machines, Markdown for the README) with the machine they ran on."""

import json
import os
import platform
import time
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from resolver.evaluate import cluster_scores

RESULTS = Path(__file__).resolve().parent / "results"


@contextmanager
def timed(into: dict, key: str):
    start = time.perf_counter()
    yield
    into[key] = round(time.perf_counter() - start, 2)


def machine() -> str:
    cpus = os.cpu_count()
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    except (ValueError, OSError):
        memory = float("nan")
    return (f"{platform.machine()}, {cpus} cores, {memory:.0f} GiB, "
            f"Python {platform.python_version()}")


def score(predicted: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """predicted: (key, cluster); truth: (key, person). Pairwise and B-cubed P/R/F1.

    Every truth record is scored: one the prediction does not cover counts as a cluster
    of its own (a tool that drops records loses recall for them)."""
    joined = truth.join(predicted, on="key", how="left").with_columns(
        pl.col("cluster").fill_null(pl.concat_str(pl.lit("missing:"), pl.col("key"))))
    s = cluster_scores("individuals", joined, "cluster", "person")
    return {"precision": round(s.pairwise_precision, 4), "recall": round(s.pairwise_recall, 4),
            "f1": round(s.pairwise_f1, 4), "bcubed_precision": round(s.bcubed_precision, 4),
            "bcubed_recall": round(s.bcubed_recall, 4), "bcubed_f1": round(s.bcubed_f1, 4)}


def write_results(name: str, rows: list[dict]) -> None:
    RESULTS.mkdir(exist_ok=True)
    doc = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "rows": rows}
    (RESULTS / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")
    columns = list(dict.fromkeys(c for row in rows for c in row))  # every row's columns
    lines = [f"Machine: {doc['machine']}; run {doc['date']}.", "",
             "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in columns) + " |" for r in rows]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
