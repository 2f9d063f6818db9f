"""The command line: the only module that prints or exits. Each command parses its
arguments, calls one library function and renders the result.

Exit codes: 0 success; 2 a problem with the user's config or data (the message names the
file, column, row or key and the fix); 1 an internal error.
"""

import json
import sys
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from resolver import __version__
from resolver.errors import ResolverError

app = typer.Typer(help="Customer identity resolution: individuals, households and golden "
                       "records with lineage, from CSV and Parquet sources.",
                  no_args_is_help=True, add_completion=False,
                  pretty_exceptions_show_locals=False, pretty_exceptions_enable=False)
# rich wraps at 80 columns when not on a terminal; logs and pipes read better unwrapped
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)
STATE = {"verbose": False}

ConfigArg = Annotated[Path, typer.Argument(help="Path of the TOML config.")]
OutArg = Annotated[Path, typer.Argument(help="Output folder of a `resolver run`.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"resolver {__version__}")
        raise typer.Exit()


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", help="Show tracebacks of "
                                               "internal errors (no local variables; an "
                                               "exception's message may quote data).")] = False,
         version: Annotated[bool | None, typer.Option("--version", callback=_version,
                                                         is_eager=True,
                                                         help="Print the version.")] = None):
    STATE["verbose"] = verbose


def _table(frame: pl.DataFrame, title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(column, justify="right" if frame.schema[column].is_numeric() else "left")
    for row in frame.iter_rows():
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else "" if v is None else str(v)
                        for v in row))
    return table


@app.command()
def run(config: ConfigArg,
        out_dir: Annotated[Path, typer.Option("--out", help="Output folder (replaced "
                                              "atomically).")] = Path("out"),
        output_format: Annotated[str | None, typer.Option(
            "--format", help="parquet (default) or csv; overrides run.output_format.")] = None,
        previous: Annotated[Path | None, typer.Option(
            "--previous", help="Output folder of an earlier run: carry its IDs over.")] = None,
        incremental: Annotated[bool, typer.Option(
            "--incremental", help="Normalize, compare and score only new and changed records "
            "against the --previous run's store, with its model; re-cluster only what they "
            "touch.")] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON "
                                              "(for scripts).")] = False,
        engine: Annotated[str, typer.Option(
            "--engine", help="local (default) or spark: the same job on Apache Spark "
            "(pip install 'customer-resolver[spark]').")] = "local",
        master: Annotated[str | None, typer.Option(
            "--master", help="With --engine spark: the Spark master URL (default local[*]; "
            "under spark-submit, the one it was given).")] = None,
        partitions: Annotated[int | None, typer.Option(
            "--partitions", help="With --engine spark: shuffle partitions (default twice "
            "the cores).")] = None):
    """The whole job: ingest, normalize, block, compare, score, cluster individuals and
    households, build golden records, write outputs and the report. With --previous OLD
    --incremental: link today's new and changed records to OLD's customers."""
    from resolver.config import load_config
    from resolver.job import execute

    if output_format not in (None, "parquet", "csv"):
        raise ResolverError("--format must be parquet or csv")
    if incremental and previous is None:
        raise ResolverError("--incremental links new and changed records to a previous run: "
                            "give that run's output folder with --previous OLD_OUT")
    if engine not in ("local", "spark"):
        raise ResolverError("--engine must be local or spark")
    if engine == "local" and (master or partitions):
        raise ResolverError("--master and --partitions apply to --engine spark only")
    if partitions is not None and partitions < 1:
        raise ResolverError("--partitions must be at least 1")
    spark = ({"name": "spark", "master": master or _default_master(), "partitions": partitions}
             if engine == "spark" else None)
    cfg = load_config(config)
    fmt = output_format or cfg.output_format

    def warn(line: str) -> None:  # at once, not after the run: a run may still fail
        err.print(f"warning: {line}", markup=False, highlight=False)

    if quiet or as_json:
        summary = execute(cfg, out_dir, fmt, previous, warn=warn, incremental=incremental,
                          engine=spark)
    elif sys.stderr.isatty():
        summary = _run_with_progress_bar(cfg, out_dir, fmt, previous, warn, incremental, spark)
    else:  # logs and pipes: one plain line per stage, and the long stages' counts
        summary = execute(cfg, out_dir, fmt, previous, progress=_plain_progress(), warn=warn,
                          incremental=incremental, engine=spark)
    if as_json:
        print(json.dumps(summary, indent=2, default=str))
    elif not quiet:
        from resolver.report.terminal import run_summary

        run_summary(out, summary["counts"], summary["timings"], out_dir)


def _plain_progress():
    """Stage lines, and for the stages that count pairs a line at every tenth of the way
    with the rate and the time left (for logs: a few lines, not one per chunk)."""
    import time

    state = {"start": time.monotonic(), "next": 0.0}

    def report(stage: str, done: int | None = None, total: int | None = None) -> None:
        now = time.monotonic()
        if total is None:
            state.update(start=now, next=0.1)
            print(f"resolver: {stage}", file=sys.stderr, flush=True)
            return
        if done < total and done < state["next"] * total:
            return
        state["next"] = done / max(total, 1) + 0.1
        rate = done / max(now - state["start"], 1e-9)
        left = (total - done) / rate if rate else 0.0
        print(f"resolver: {stage} {done:,} of {total:,} pairs ({rate:,.0f} a second, "
              f"about {left:,.0f} s left)", file=sys.stderr, flush=True)

    return report


def _default_master() -> str | None:
    """local[*], unless spark-submit already chose a master (it sets spark.master)."""
    import os

    return None if "spark.master" in os.environ.get("PYSPARK_SUBMIT_ARGS", "") or \
        os.environ.get("SPARK_ENV_LOADED") else "local[*]"


def _run_with_progress_bar(cfg, out_dir: Path, fmt: str, previous: Path | None,
                           warn, incremental: bool, engine: dict | None = None) -> dict:
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    from resolver.job import execute
    from resolver.pipeline import STAGES

    with Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task("ingest", total=len(STAGES) + 1)
        pairs = bar.add_task("", total=1, visible=False)

        def advance(stage: str, done: int | None = None, total: int | None = None) -> None:
            if total is not None:  # the stage's pairs: counts, rate and time left
                bar.update(pairs, description=f"{stage} pairs", completed=done, total=total,
                           visible=True)
                return
            bar.reset(pairs, total=1, visible=False)
            done = STAGES.index(stage) if stage in STAGES else len(STAGES)  # "write" last
            bar.update(task, description=stage, completed=done)

        summary = execute(cfg, out_dir, fmt, previous, progress=advance, warn=warn,
                          incremental=incremental, engine=engine)
        bar.update(task, description="written", completed=len(STAGES) + 1)
    return summary


@app.command()
def init(sources: Annotated[list[Path], typer.Argument(help="CSV or Parquet files.")],
         config_out: Annotated[Path | None, typer.Option(
             "--out", help="Write the config here instead of printing it.")] = None):
    """Write a starter config with a guessed column mapping for the given files."""
    from resolver.init import starter_config

    text = starter_config(sources, (config_out or Path("config.toml")).parent)
    if config_out:
        if config_out.exists():
            raise ResolverError(f"{config_out} exists; choose another --out or remove it")
        config_out.write_text(text)
        out.print(f"wrote {config_out}")
    else:
        print(text)


@app.command()
def validate(config: ConfigArg):
    """Check the config and its sources (files, columns, ids, date formats) without running."""
    from resolver.config import load_config
    from resolver.validate import validate_sources

    report = validate_sources(load_config(config))
    out.print(_table(pl.DataFrame(report), f"{config}: valid"))


@app.command()
def profile(config: ConfigArg):
    """Per source and field: fill rate, distinct values, most common values, values that
    failed to parse or were treated as junk."""
    from resolver.config import load_config
    from resolver.ingest import ingest
    from resolver.normalize import normalize_records
    from resolver.report.profile import profile as build_profile

    cfg = load_config(config)
    normalized = normalize_records(ingest(cfg), cfg)
    mapped = {s.name: list(s.columns) for s in cfg.sources}
    out.print(_table(build_profile(normalized, mapped), "profile"))


@app.command()
def blocking(config: ConfigArg,
             truth: Annotated[Path | None, typer.Option(
                 "--truth", help="Truth file: adds blocking recall per rule.")] = None,
             estimate: Annotated[bool, typer.Option(
                 "--estimate/--no-estimate", help="Estimate without labels the share of "
                 "true matches the rules find (scores the candidate pairs; slower).")] = True,
             at: Annotated[int | None, typer.Option(
                 "--at", min=1, help="Predict each rule's pairs on this many records, "
                 "if its blocks multiply and if they grow.")] = None):
    """Per blocking rule: candidate pairs, largest blocks, cumulative pairs, and an
    estimate of the true matches the rules miss (and, with --truth, the measured recall)."""
    from resolver.config import load_config
    from resolver.report.blocking import blocking_report

    cfg = load_config(config)
    table, totals = blocking_report(cfg, truth, estimate, at)
    out.print(_table(table, "blocking"))
    out.print("  ".join(f"{k} {v:.4f}" if isinstance(v, float) else
                        f"{k} {v:,}" if isinstance(v, int) else f"{k}: {v}"
                        for k, v in totals.items()))
    if "estimated_recall" in totals:
        out.print(f"Estimated without labels from how the rules overlap on the "
                  f"{totals['likely_matches']:,} pairs scored at or above the match "
                  f"threshold ({cfg.match_threshold:g}): the rules find about "
                  f"{totals['estimated_recall']:.1%} of true matches between distinct records "
                  f"and miss about "
                  f"{totals['estimated_missed_matches']:,}. estimated_recall per rule: the "
                  "share of the likely matches found by other rules that the rule also "
                  "finds. An estimate, not a measurement: rules that fail on the same "
                  "pairs make it optimistic.", highlight=False)


@app.command()
def train(config: ConfigArg,
          model_out: Annotated[Path, typer.Option("--out", help="Model file to write.")] = Path(
              "model.json"),
          truth: Annotated[Path | None, typer.Option(
              "--truth", help="Labels: estimate m from true matches instead of EM.")] = None):
    """Estimate the match model (unsupervised EM, or from labels) and save it as JSON."""
    from resolver.config import load_config
    from resolver.job import train_only

    model = train_only(load_config(config), truth)
    model.save(model_out)
    out.print(f"wrote {model_out} (prior match weight {model.prior_weight:+.2f}, "
              f"{model.trained.get('method')})")
    for warning in model.trained.get("warnings", []):
        out.print(f"warning: {warning}", markup=False)


@app.command()
def explain(out_dir: OutArg,
            record_a: Annotated[str | None, typer.Argument(help="source:record_id")] = None,
            record_b: Annotated[str | None, typer.Argument(help="source:record_id")] = None,
            entity: Annotated[str | None, typer.Option(
                "--entity", help="Explain one individual (an entity_id) instead: its "
                "records, the links between them and the links refused.")] = None):
    """Why two records did or did not match: whether they were a candidate pair (and under
    which blocking rule), per-field levels and weights, and what kept them apart."""
    if entity is not None:
        if record_a or record_b:
            raise ResolverError("give two records or --entity ID, not both")
        return _explain_entity(out_dir, entity)
    if not (record_a and record_b):
        raise ResolverError("give two records (source:record_id source:record_id), or "
                            "--entity ID")
    from resolver.explain import explain_pair
    from resolver.report.steward import explanation_table

    e = explain_pair(out_dir, record_a, record_b)
    out.print(f"{e.a} vs {e.b}: {e.candidate}", markup=False, highlight=False)
    out.print(explanation_table(e))
    verdict = "the same individual" if e.same_individual else "different individuals"
    decided = f"; decision {e.decision} ({e.decision_source})" if e.decision else ""
    out.print(f"match probability {e.probability:.4f}{decided}; in this run: {verdict} "
              f"({e.entity_a}, {e.entity_b})", markup=False, highlight=False)
    for reason in e.reasons:
        out.print(f"  - {reason}", markup=False, highlight=False)


def _explain_entity(out_dir: Path, entity_id: str) -> None:
    from resolver.explain_entity import explain_entity

    e = explain_entity(out_dir, entity_id)
    out.print(f"individual {e.entity_id}: {e.records.height} record(s); household "
              f"{e.household_id or '-'}" + (f"; flagged {e.flag}" if e.flag else ""),
              markup=False, highlight=False)
    out.print(_table(e.records, "records"))
    if e.golden:
        out.print(_table(pl.DataFrame(e.golden), "golden record"))
    out.print(_table(e.links, f"links between its records: {e.links.height}"))
    out.print(_table(e.refused, f"links refused to other individuals: {e.refused.height}"))


@app.command()
def review(out_dir: OutArg,
           accept: Annotated[tuple[str, str] | None, typer.Option(
               help="Record that two records (source:record_id) are one person.")] = None,
           reject: Annotated[tuple[str, str] | None, typer.Option(
               help="Record that two records are different people.")] = None,
           import_file: Annotated[Path | None, typer.Option(
               "--import", help="Append every decision of a CSV file (record_a, record_b, "
               "decision[, reviewer, timestamp, note]), all checked first.")] = None,
           reviewer: Annotated[str, typer.Option(help="Who decided.")] = "steward",
           note: Annotated[str | None, typer.Option(help="Why.")] = None,
           as_json: Annotated[bool, typer.Option("--json", help="Print the queue as JSON, "
                                                 "with both records' values.")] = False,
           as_csv: Annotated[bool, typer.Option("--csv", help="Print the queue as CSV "
                                                "(formula-safe), with both records' values."
                                                )] = False,
           listing: Annotated[bool, typer.Option("--list", help="Print the queue, even on a "
                                                 "terminal (no interactive review).")] = False,
           limit: Annotated[int | None, typer.Option(
               help="Pairs to show or export (listing: 50; export: all).")] = None,
           serve: Annotated[bool, typer.Option(
               "--serve", help="Open the workbench in a browser instead: the queue, pairs, "
               "individuals and households, on 127.0.0.1 with a token in the URL.")] = False,
           port: Annotated[int, typer.Option(
               help="Port of --serve (0: any free port).", min=0, max=65535)] = 8765):
    """The review queue, most uncertain first, with both records' values side by side. On
    a terminal: review pair by pair (a accept, r reject, s skip, n note, q quit); with
    --serve, in the browser. Each decision goes to the decisions file the config names;
    the next run honours it."""
    from resolver import review as rv

    modes = [m for m, on in (("--accept", accept), ("--reject", reject), ("--import",
             import_file), ("--json", as_json), ("--csv", as_csv), ("--serve", serve)) if on]
    if len(modes) > 1:
        raise ResolverError(f"give one of {', '.join(modes)}, not several")
    if limit is not None and limit < 1:
        raise ResolverError("--limit must be at least 1")
    if serve:
        return _serve(out_dir, port, reviewer)
    if accept or reject:
        a, b = accept or reject
        path = rv.record_decision(out_dir, a, b, "match" if accept else "no_match", reviewer,
                                  note)
        out.print(f"recorded {'match' if accept else 'no_match'} for {a} {b} in {path}",
                  markup=False, highlight=False)
        return
    if import_file:
        path, count = rv.import_decisions(out_dir, import_file, reviewer)
        out.print(f"appended {count:,} decision(s) to {path}; the next run honours them",
                  markup=False, highlight=False)
        return
    if as_json or as_csv:
        _export_queue(rv.review_queue(out_dir, limit).pairs, as_json)
        return
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not listing
    queue = rv.review_queue(out_dir, limit if limit or interactive else 50)
    out.print(f"review queue: {queue.waiting:,} pair(s) left for review by the run"
              + (f", {queue.decided_since:,} decided since" if queue.decided_since else ""),
              markup=False, highlight=False)
    if not interactive:
        from resolver.report.steward import queue_table

        out.print(queue_table(queue.pairs))
        return
    _review_interactively(out_dir, queue.pairs, reviewer)


def _serve(out_dir: Path, port: int, reviewer: str) -> None:
    from resolver.workbench.server import make_server, serve

    server = make_server(out_dir, port, reviewer)
    out.print(f"resolver workbench for {out_dir} (Ctrl-C to stop):\n    {server.url}",
              markup=False, highlight=False, soft_wrap=True)
    sys.stdout.flush()
    serve(server)
    out.print("workbench stopped", markup=False, highlight=False)


def _export_queue(pairs: pl.DataFrame, as_json: bool) -> None:
    if as_json:
        print(json.dumps(pairs.to_dicts(), indent=2, default=str))
    else:
        from resolver.csv_safety import escape_frame

        sys.stdout.write(escape_frame(pairs).write_csv())


def _read_one_key() -> str:
    """One key press, without Enter (cbreak mode: Ctrl-C still interrupts)."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        return sys.stdin.read(1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _review_interactively(out_dir: Path, pairs: pl.DataFrame, reviewer: str) -> None:
    from resolver.report.steward import queue_table
    from resolver.review import decide_pair
    from resolver.review_session import review_session

    rows = pairs.to_dicts()

    def show(i: int, pair: dict) -> None:
        out.print(queue_table(pl.DataFrame([pair]), f"pair {i + 1} of {len(rows)}", i))

    def read_key(prompt: str) -> str:
        out.print(prompt + " ", end="", markup=False, highlight=False)
        key = _read_one_key()
        out.print(key if key.isprintable() else "", markup=False, highlight=False)
        return key

    def decide(pair: dict, decision: str, note: str | None) -> None:
        decide_pair(out_dir, pair["record_a"], pair["record_b"], decision, reviewer, note)
        out.print(f"recorded {decision}", markup=False, highlight=False)

    result = review_session(rows, read_key, input, show, decide,
                            lambda text: out.print(text, markup=False, highlight=False))
    out.print(f"accepted {result.accepted}, rejected {result.rejected}, skipped "
              f"{result.skipped}; the next `resolver run` honours the decisions",
              markup=False, highlight=False)


@app.command()
def evaluate(out_dir: OutArg,
             truth: Annotated[Path | None, typer.Option(
                 "--truth", help="Truth file (parquet or csv) with source, record_id, "
                 "person_id [, household_id]. Without it: the steward decisions file, "
                 "pairwise on decided pairs only.")] = None,
             as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
             errors: Annotated[int, typer.Option(
                 "--errors", min=0, help="Also list up to N false merges and N missed "
                 "matches, each with a pair of record keys to `explain`.")] = 0,
             sweep: Annotated[bool, typer.Option(
                 "--sweep", help="Pairwise precision, recall and F1 of the scored pairs "
                 "across match thresholds.")] = False):
    """Pairwise and B-cubed precision, recall and F1 for individuals and households, and
    a reliability table: predicted match probability against the observed match rate.
    Without --truth, steward decisions serve as labels (an estimate on decided pairs)."""
    if truth is None:
        return _evaluate_on_decisions(out_dir, as_json, errors, sweep)
    from dataclasses import asdict

    from resolver.evaluate import calibration, evaluate as score
    from resolver.report.terminal import calibration_table, scores_table

    scores, uncovered = score(out_dir, truth)
    reliability = calibration(out_dir, truth)
    wrong = {}
    if errors:
        from resolver.evaluate_errors import error_lists

        wrong = error_lists(out_dir, truth, errors)
    swept = _sweep(out_dir, truth) if sweep else None
    if as_json:
        print(json.dumps({"scores": [asdict(s) for s in scores], "uncovered": uncovered,
                          "calibration": reliability.to_json(),
                          **({"sweep": _sweep_json(*swept)} if swept else {}),
                          **{k: v.to_dicts() for k, v in wrong.items()}}, indent=2))
        return
    scores_table(out, scores, uncovered)
    calibration_table(out, reliability)
    if swept:
        from resolver.report.terminal import sweep_table

        sweep_table(out, *swept)
    for name, frame in wrong.items():
        out.print(_table(frame, name.replace("_", " ")))
    if wrong:
        out.print(f"why: resolver explain {out_dir} RECORD_A RECORD_B", highlight=False)


def _sweep(out_dir: Path, truth: Path | None):
    from resolver import evaluate_sweep as es
    from resolver.explain import run_document

    labelled = es.from_truth(out_dir, truth) if truth else es.from_decisions(out_dir)
    review = run_document(out_dir).get("thresholds", {}).get("review", 0.0)
    return es.sweep(labelled, review), labelled


def _sweep_json(frame: pl.DataFrame, labelled) -> dict:
    return {"labels": labelled.source, "note": labelled.note,
            "labelled_pairs": labelled.pairs.height, "true_pairs": labelled.true_pairs,
            "rows": frame.to_dicts()}


def _evaluate_on_decisions(out_dir: Path, as_json: bool, errors: int, sweep: bool) -> None:
    from resolver.evaluate_sweep import DECISIONS_NOTE, decided_clusters, from_decisions
    from resolver.report.terminal import decided_table, sweep_table

    if errors:
        raise ResolverError("--errors needs --truth FILE (decisions say nothing of the "
                            "pairs nobody decided)")
    labelled = from_decisions(out_dir)
    scores = decided_clusters(out_dir, labelled)
    swept = _sweep(out_dir, None) if sweep else None
    if as_json:
        print(json.dumps({"labels": "decisions", "note": DECISIONS_NOTE,
                          "individuals_on_decided_pairs": scores,
                          **({"sweep": _sweep_json(*swept)} if swept else {})}, indent=2))
        return
    decided_table(out, scores, DECISIONS_NOTE)
    if swept:
        sweep_table(out, *swept)


@app.command()
def diff(old_dir: Annotated[Path, typer.Argument(help="Output folder of the earlier run.")],
         new_dir: Annotated[Path, typer.Argument(help="Output folder of the later run.")],
         as_json: Annotated[bool, typer.Option("--json", help="Print JSON (for downstream "
                                               "systems).")] = False):
    """What changed between two runs: individuals new, merged, split, retired, with golden
    values updated or a household move; households new, retired or with members changed."""
    from resolver.diff import diff_runs

    changes = diff_runs(old_dir, new_dir)
    if as_json:
        print(json.dumps({"entities": changes.entities.to_dicts(),
                          "households": changes.households.to_dicts()}, indent=2))
        return
    counts = changes.entities.group_by("change").len().sort("change")
    out.print("individuals: " + (", ".join(f"{c} {n:,}" for c, n in counts.iter_rows())
                                 or "no change"), markup=False, highlight=False)
    out.print(_table(changes.entities.with_columns(
        pl.col("related_ids", "fields").list.join(" ")), "individuals"))
    out.print(_table(changes.households.with_columns(
        pl.col("joined", "left").list.join(" ")), "households"))


@app.command()
def sample(people: Annotated[int, typer.Option(help="How many people.")] = 2000,
           seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
           out_dir: Annotated[Path, typer.Option("--out", help="Folder to write (new or "
                                                 "empty unless --force).")] = Path(
               "sample_out"),
           force: Annotated[bool, typer.Option("--force", help="Write into a folder that "
                                               "already holds files, replacing the sample "
                                               "files in it.")] = False):
    """Write multi-source sample data (four sources) with its truth file."""
    from resolver.sample.sources import write_sample

    if people < 1:
        raise ResolverError("--people must be at least 1")
    counts = write_sample(people, seed, out_dir, force)
    out.print(f"wrote {sum(counts.values()):,} records of {people:,} people to {out_dir}: "
              + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + "; truth.parquet")


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so that cleanup (staging folders, locks, worker
    pools) runs as it does for Ctrl-C."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


def entry() -> None:
    """Console entry point: one boundary turns errors into messages and exit codes.
    Usage errors are typer's own (exit 2, with the usage line)."""
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        app()
    except _Terminated:
        err.print("Terminated.")
        sys.exit(143)
    except ResolverError as exc:
        # never wrapped: a log line stays whole for grep (and a value is never split)
        err.print(f"Error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("Aborted.")
        sys.exit(130)
    except Exception as exc:  # an internal error: never print locals (customer data)
        if STATE["verbose"]:
            import traceback

            traceback.print_exception(type(exc), exc, exc.__traceback__, limit=20,
                                      file=sys.stderr)
        err.print(f"Internal error ({type(exc).__name__}). Re-run with --verbose for the "
                  "traceback, and report it.", markup=False)
        sys.exit(1)
