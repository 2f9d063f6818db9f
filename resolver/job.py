"""`resolver run` and `resolver train` as library calls (the job behind the command and
the Python API): run the pipeline, then write every output (data frames, model.json,
report.html, run.json) and publish them at once."""

import errno
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from resolver.config import Config, check_run_files
from resolver.diff import with_golden_changes
from resolver.errors import OutputError, ResolverError
from resolver.incremental import run_incremental
from resolver.output import versions, write_files
from resolver.pipeline import RunResult, run_pipeline
from resolver.publish import FORMAT, FORMAT_VERSION, OutputFolder
from resolver.report.html import render_report
from resolver.report.tables import blocking_table, run_counts
from resolver.store import detected_dob_formats, store_frames, store_meta, write_store


def run_inputs(config: Config) -> list[Path]:
    """Files a run reads: `--out` may never hold one of them."""
    paths = [config.path, *(s.path for s in config.sources)]
    return paths + [p for p in (config.decisions_path, config.model_path,
                                config.term_frequencies_path) if p]


def execute(config: Config, out_dir: Path, fmt: str, previous: Path | None = None,
            progress=None, warn=None, incremental: bool = False,
            engine: dict | None = None) -> dict:
    """Run and publish; -> the run summary (output folder, counts, timings)."""
    return run_and_publish(config, out_dir, fmt, previous, progress, warn, incremental,
                           engine)[1]


def run_and_publish(config: Config, out_dir: Path, fmt: str, previous: Path | None = None,
                    progress=None, warn=None, incremental: bool = False,
                    engine: dict | None = None) -> tuple[RunResult, dict]:
    """engine: None for the local engine, or {"name": "spark", "master": URL,
    "partitions": N} (resolver/spark/)."""
    check_run_files(config)
    if incremental and previous is None:
        raise ResolverError("--incremental links new and changed records to a previous "
                            "run: give that run's output folder with --previous OLD_OUT")
    if incremental and engine:
        raise ResolverError("--incremental runs on the local engine only: leave out "
                            "--engine spark, or run a full run on Spark")
    # the folder is checked and locked before any work: a refusal costs nothing
    with OutputFolder(out_dir, run_inputs(config), config.private_outputs) as folder:
        if incremental:
            result = run_incremental(config, previous, progress, warn)
        elif engine:
            from resolver.spark.engine import run_spark_pipeline

            result = run_spark_pipeline(config, previous, progress, warn,
                                        engine.get("master"), engine.get("partitions"))
        else:
            result = run_pipeline(config, previous, progress, warn)
        if previous is not None:
            result.changes = with_golden_changes(result.changes, previous, result.entities)
        counts = run_counts(result)
        meta = store_meta(config, result.dob_formats if result.dob_formats is not None
                          else detected_dob_formats(result.records, config),
                          str(config.term_frequencies_path or "this run's records"))
        run_doc = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "versions": versions(),
            "config": str(config.path.resolve()),
            "config_sha256": config.text_hash,
            "previous": str(previous.resolve()) if previous else None,
            "thresholds": {"match": config.match_threshold,
                           "review": config.review_threshold},
            "counts": counts,
            "blocking": blocking_table(result.blocking),
            "model": {"prior": result.model.prior, "trained": result.model.trained},
            "timings_seconds": result.timings,
            "peak_memory_mb": result.peak_memory_mb,
            "incremental": result.delta or False,
            "store": meta,
        }
        frames = {"lineage": result.lineage, "entities": result.entities,
                  "households": result.households, "pairs": result.pairs,
                  "changes": result.changes}
        if progress:
            progress("write")
        try:
            with ThreadPoolExecutor(1) as pool:
                # the report is rendered (Python, holding the GIL) while the store is
                # written (compression in native threads)
                report = pool.submit(render_report, result, counts, folder.out_dir)
                staging = folder.staging()
                write_store(staging, store_frames(
                    result.normalized, result.scored, result.clustering, result.steward,
                    result.frequencies, config))
                documents = {
                    "model.json": json.dumps(result.model.to_json(), indent=2) + "\n",
                    "report.html": report.result(),
                    "run.json": json.dumps(run_doc, indent=2, default=str) + "\n",
                }
                write_files(staging, frames, documents, fmt)
        except (OSError, pl.exceptions.PolarsError) as exc:
            failure = _write_failure(exc, folder.out_dir)
            if failure is None:
                raise
            raise failure from None
        folder.publish()
    return result, {"out": str(folder.out_dir), "counts": counts, "timings": result.timings}


FULL = {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded",
        errno.EFBIG: "file size limit exceeded"}


def _write_failure(exc: Exception, out_dir: Path) -> OutputError | None:
    """A full disk (or a quota or file-size limit) while writing: a user's problem, not
    an internal error. Polars reports it in its own exception's text."""
    code = getattr(exc, "errno", None)
    if code is None:
        code = next((c for c in FULL if f"os error {c})" in str(exc)), None)
    if code not in FULL:
        return None
    return OutputError(f"{FULL[code]} writing {out_dir}. Free space (or raise the limit) "
                       "and run again, or choose another --out; the previous output is "
                       "unchanged")


def train_only(config: Config, truth: Path | None):
    """The model `run` would train, optionally from a truth file's labels."""
    from resolver.compare.compute import compare_pairs
    from resolver.evaluate import read_truth
    from resolver.pipeline import candidates
    from resolver.score.train import labels_from_truth, train_model

    config, normalized, pairs, _ = candidates(config)
    gammas = compare_pairs(pairs, normalized, config.comparisons)
    labels = labels_from_truth(normalized, pairs, read_truth(truth)) if truth else None
    return train_model(config, normalized, gammas, labels)
