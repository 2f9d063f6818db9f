"""`resolver review OUT`: the steward's queue (pairs between the review and match
thresholds, and links a guard refused) and recording accept/reject decisions into the
decisions file the config names, which the next run honours."""

import datetime as dt
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.config import load_config
from resolver.decisions import append_decision
from resolver.errors import InputError
from resolver.output import read_output
from resolver.explain import run_config_path


def read_pairs(out_dir: Path) -> pl.DataFrame:
    columns = (F.left(F.SOURCE), F.left(F.RECORD_ID), F.right(F.SOURCE), F.right(F.RECORD_ID),
               F.MATCH_PROBABILITY, F.DECISION, F.DECISION_SOURCE)
    return read_output(out_dir, "pairs", columns).with_columns(
        pl.col(F.MATCH_PROBABILITY).cast(pl.Float64, strict=False))


def review_queue(out_dir: Path) -> pl.DataFrame:
    pairs = read_pairs(out_dir)
    return (pairs.filter(pl.col(F.DECISION) == "review")
            .select(pl.concat_str(F.left(F.SOURCE), pl.lit(":"), F.left(F.RECORD_ID))
                    .alias("record_a"),
                    pl.concat_str(F.right(F.SOURCE), pl.lit(":"), F.right(F.RECORD_ID))
                    .alias("record_b"), F.MATCH_PROBABILITY, F.DECISION_SOURCE)
            .sort(F.MATCH_PROBABILITY, descending=True))


def check_decision_text(a: str, b: str, reviewer: str, note: str | None) -> None:
    """Keys name two different records; no value carries control characters (a line
    break would split the decisions file's line)."""
    for option, value in (("record", a), ("record", b), ("--reviewer", reviewer),
                          ("--note", note or "")):
        if not value.isprintable():
            raise InputError(f"{option} contains a control character (line break, tab, "
                             "...). Give it on one line of printable text")
    for key in (a, b):
        if ":" not in key:
            raise InputError(f"record {key!r} is not source:record_id. Name records as "
                             "source:record_id, e.g. crm:C0000012")
    if a == b:
        raise InputError(f"--accept/--reject names the same record twice ({a!r}). Give two "
                         "different records")
    if not reviewer.strip():
        raise InputError("--reviewer is empty. Say who decided")


def record_decision(out_dir: Path, a: str, b: str, decision: str, reviewer: str,
                    note: str | None) -> Path:
    check_decision_text(a, b, reviewer, note)
    config = load_config(run_config_path(out_dir))
    if config.decisions_path is None:
        raise InputError(f"config {config.path} names no decisions file. Add\n  [decisions]\n"
                         '  path = "decisions.csv"\nto it, then review again')
    lineage = read_output(out_dir, "lineage", (F.SOURCE, F.RECORD_ID))
    keys = set(lineage.select(pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID))
               .to_series().to_list())
    for key in (a, b):
        if key not in keys:
            raise InputError(f"record {key!r} is not in {out_dir}. Name records as "
                             "source:record_id, e.g. crm:C0000012")
    append_decision(config.decisions_path, {
        "record_a": a, "record_b": b, "decision": decision, "reviewer": reviewer,
        "timestamp": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "note": note})
    return config.decisions_path
