"""`resolver review OUT`: the steward's queue (pairs between the review and match
thresholds, and links a guard refused), most uncertain first as in the report, with both
records' values; and recording accept/reject decisions, one at a time or imported from a
CSV file, into the decisions file the config names, which the next run honours."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.config import Config, load_config
from resolver.decisions import append_decisions, parse_decisions, read_decisions
from resolver.errors import InputError
from resolver.explain import run_config_path
from resolver.output import read_output
from resolver.record_values import record_values

QUEUE_COLUMNS = ("record_a", "record_b", F.MATCH_PROBABILITY, F.MATCH_WEIGHT,
                 F.BLOCKING_RULE, F.DECISION_SOURCE)


@dataclass(frozen=True)
class Queue:
    pairs: pl.DataFrame  # QUEUE_COLUMNS, most uncertain first, with each record's values
    waiting: int  # pairs the run left for review
    decided_since: int  # of those, pairs the decisions file has decided since the run


def _key(side) -> pl.Expr:
    return pl.concat_str(side(F.SOURCE), pl.lit(":"), side(F.RECORD_ID))


def read_pairs(out_dir: Path) -> pl.DataFrame:
    columns = (F.left(F.SOURCE), F.left(F.RECORD_ID), F.right(F.SOURCE), F.right(F.RECORD_ID),
               F.BLOCKING_RULE, F.MATCH_WEIGHT, F.MATCH_PROBABILITY, F.DECISION,
               F.DECISION_SOURCE)
    return read_output(out_dir, "pairs", columns).with_columns(
        pl.col(F.MATCH_PROBABILITY, F.MATCH_WEIGHT).cast(pl.Float64, strict=False),
        _key(F.left).alias("record_a"), _key(F.right).alias("record_b"))


def decided_pairs(decisions: pl.DataFrame) -> pl.DataFrame:
    """(record_a, record_b) of every decided pair, in both orders."""
    pairs = decisions.select("record_a", "record_b")
    return pl.concat([pairs, pairs.select(pl.col("record_b").alias("record_a"),
                                          pl.col("record_a").alias("record_b"))]).unique()


def review_queue(out_dir: Path, limit: int | None = None) -> Queue:
    """The pairs waiting for a steward, most uncertain (probability nearest 0.5) first,
    without those decided since the run; values for the first `limit` pairs."""
    config = load_config(run_config_path(out_dir))
    waiting = (read_pairs(out_dir).filter(pl.col(F.DECISION) == "review")
               .with_columns((pl.col(F.MATCH_PROBABILITY) - 0.5).abs().alias("uncertainty"))
               .sort("uncertainty", F.left(F.SOURCE), F.left(F.RECORD_ID), F.right(F.SOURCE),
                     F.right(F.RECORD_ID)))
    pending = waiting.join(decided_pairs(read_decisions(config.decisions_path)),
                           on=["record_a", "record_b"], how="anti", maintain_order="left")
    shown = pending.select(QUEUE_COLUMNS)
    if limit is not None:
        shown = shown.head(limit)
    return Queue(with_values(config, shown, out_dir), waiting.height,
                 waiting.height - pending.height)


def with_values(config: Config, pairs: pl.DataFrame,
                out_dir: Path | None = None) -> pl.DataFrame:
    """The pairs with each record's values beside them (`name_a`, `name_b`, ...), from
    the run's store when out_dir has one."""
    keys = set(pairs.get_column("record_a").to_list()) | set(
        pairs.get_column("record_b").to_list())
    values = record_values(config, keys, out_dir)
    for side in ("a", "b"):
        named = values.rename({c: f"{c}_{side}" for c in values.columns})
        pairs = pairs.join(named, left_on=f"record_{side}", right_on=f"{F.RECORD_KEY}_{side}",
                           how="left", maintain_order="left")
    return pairs


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


def decisions_path(config: Config) -> Path:
    if config.decisions_path is None:
        raise InputError(f"config {config.path} names no decisions file. Add\n  [decisions]\n"
                         '  path = "decisions.csv"\nto it, then review again')
    return config.decisions_path


def _known_keys(out_dir: Path) -> set[str]:
    lineage = read_output(out_dir, "lineage", (F.SOURCE, F.RECORD_ID))
    return set(lineage.select(pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID))
               .to_series().to_list())


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def record_decision(out_dir: Path, a: str, b: str, decision: str, reviewer: str,
                    note: str | None) -> Path:
    check_decision_text(a, b, reviewer, note)
    path = decisions_path(load_config(run_config_path(out_dir)))
    keys = _known_keys(out_dir)
    for key in (a, b):
        if key not in keys:
            raise InputError(f"record {key!r} is not in {out_dir}. Name records as "
                             "source:record_id, e.g. crm:C0000012")
    append_decisions(path, [{"record_a": a, "record_b": b, "decision": decision,
                             "reviewer": reviewer, "timestamp": _now(), "note": note}])
    return path


def import_decisions(out_dir: Path, source: Path, reviewer: str) -> tuple[Path, int]:
    """Every row of a decisions CSV (record_a, record_b, decision[, reviewer, timestamp,
    note]) checked, then all appended at once to the run's decisions file. A bad row is
    an error naming its line and column, never its value; nothing is appended then."""
    if not source.is_file():
        raise InputError(f"--import {source}: file not found. Give a CSV file with the "
                         "columns record_a, record_b, decision")
    try:
        text = source.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"--import {source}: not UTF-8 text. Save it as UTF-8 CSV") from None
    lines: list[int] = []
    _, rows = parse_decisions(source, text, lines)
    path = decisions_path(load_config(run_config_path(out_dir)))
    keys = _known_keys(out_dir)
    for line, row in zip(lines, rows):
        where = f"--import {source}: line {line}"
        for column in ("record_a", "record_b"):
            if ":" not in row[column] or not row[column].isprintable():
                raise InputError(f"{where}: {column} is not source:record_id. Name records as "
                                 "source:record_id, e.g. crm:C0000012")
            if row[column] not in keys:
                raise InputError(f"{where}: {column} is not a record of {out_dir}. Check the "
                                 "source name and record id")
        if row["record_a"] == row["record_b"]:
            raise InputError(f"{where}: record_a and record_b are the same record. A decision "
                             "is about two different records")
        for column in ("reviewer", "note"):
            if not (row.get(column) or "").isprintable():
                raise InputError(f"{where}: {column} contains a control character. Give it "
                                 "on one line of printable text")
    stamped = [{"record_a": r["record_a"], "record_b": r["record_b"],
                "decision": r["decision"], "reviewer": r.get("reviewer") or reviewer,
                "timestamp": r.get("timestamp") or _now(), "note": r.get("note") or None}
               for r in rows]
    append_decisions(path, stamped)
    return path, len(stamped)


def decide_pair(out_dir: Path, a: str, b: str, decision: str, reviewer: str,
                note: str | None) -> Path:
    """A decision on a pair of the run's own queue (its records are known to be there)."""
    check_decision_text(a, b, reviewer, note)
    path = decisions_path(load_config(run_config_path(out_dir)))
    append_decisions(path, [{"record_a": a, "record_b": b, "decision": decision,
                             "reviewer": reviewer, "timestamp": _now(), "note": note}])
    return path
