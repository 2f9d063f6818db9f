"""Steward decisions: a CSV the config names (`decisions.path`), one row per reviewed pair.

    record_a,record_b,decision,reviewer,timestamp,note
    crm:C0000012,web:100345,match,alice,2026-01-05T10:00:00,same email and phone
    crm:C0000099,pos:L00000007,no_match,bob,2026-01-06T09:30:00,father and son

`decision` is `match` (must-link) or `no_match` (cannot-link). Later rows about the same
pair override earlier ones. Every run honours them: a must-link joins the two records'
individuals whatever the model says; a cannot-link keeps them apart even through third
records. Decisions naming records that are not in the input are ignored and counted.

Stewards may append at the same time: each append holds an exclusive lock on the file
(flock) while it checks the file and writes one whole line, so the header is written once
and lines never interleave. A damaged file (wrong header, a line with the wrong number of
fields, a blank or unknown decision) is an error naming the line, and is never rewritten.
Cells are formula-safe (csv_safety).
"""

import csv
import fcntl
import io
import os
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.csv_safety import escape_cell, unescape_cell
from resolver.errors import InputError

COLUMNS = ("record_a", "record_b", "decision", "reviewer", "timestamp", "note")
REQUIRED = COLUMNS[:3]
VALUES = ("match", "no_match")


def _damaged(path: Path, line: int, what: str) -> InputError:
    return InputError(f"decisions file {path}: line {line} {what}. Fix or remove that line "
                      "(resolver never rewrites this file)")


def parse_decisions(path: Path, text: str,
                    lines: list[int] | None = None) -> tuple[list[str], list[dict]]:
    """-> (header, rows as dicts); raises InputError naming the first bad line.
    `lines`, when given, receives each row's line number."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return list(COLUMNS), []
        missing = [c for c in REQUIRED if c not in header]
        if missing or len(set(header)) != len(header):
            raise _damaged(path, 1, f"is not the header: it needs the columns "
                           f"{', '.join(COLUMNS)} (at least {', '.join(REQUIRED)}), each once")
        rows = []
        for cells in reader:
            if not cells:  # a blank line
                continue
            if len(cells) != len(header):
                raise _damaged(path, reader.line_num, f"has {len(cells)} field(s), the header "
                               f"has {len(header)}")
            row = {c: unescape_cell(v) for c, v in zip(header, cells)}
            if row["decision"] not in VALUES:
                what = "a blank decision" if not row["decision"].strip() else (
                    "a decision other than match or no_match")
                raise _damaged(path, reader.line_num, f"has {what}")
            if not row["record_a"] or not row["record_b"]:
                raise _damaged(path, reader.line_num, "has no record_a or record_b")
            rows.append(row)
            if lines is not None:
                lines.append(reader.line_num)
    except csv.Error:
        raise _damaged(path, reader.line_num, "cannot be parsed as CSV (check its quotes)"
                       ) from None
    return header, rows


def _read_text(path: Path, handle) -> str:
    try:  # utf-8-sig: a spreadsheet that saved the file may have put a BOM in front
        return handle.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"decisions file {path}: not UTF-8 text. Fix or move it "
                         f"({exc.reason})") from None


def _check_path(path: Path) -> None:
    if path.exists() and not path.is_file():
        raise InputError(f"decisions file {path} is a folder or not a regular file. Name a "
                         "file in decisions.path")


def read_decisions(path: Path | None) -> pl.DataFrame:
    """The decisions file as a frame (empty when there is none yet)."""
    empty = pl.DataFrame(schema={c: pl.String for c in COLUMNS})
    if path is None or not path.exists():
        return empty
    _check_path(path)
    with path.open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)  # never read half of another steward's line
        _, rows = parse_decisions(path, _read_text(path, handle))
    if not rows:
        return empty
    return pl.DataFrame([{c: row.get(c) for c in COLUMNS} for row in rows],
                        schema={c: pl.String for c in COLUMNS})


def append_decision(path: Path, row: dict) -> None:
    """Add one decision at the end of the file (see append_decisions)."""
    append_decisions(path, [row])


def append_decisions(path: Path, rows: list[dict]) -> None:
    """Add decisions at the end of the file, creating it with a header if needed. The
    whole check-and-write happens under an exclusive lock, in one write."""
    _check_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
    with os.fdopen(fd, "r+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        text = _read_text(path, handle)
        if text and not text.endswith("\n"):
            raise _damaged(path, text.count("\n") + 1, "is cut off (no line end)")
        header, _ = parse_decisions(path, text)
        lines = io.StringIO()
        writer = csv.writer(lines, lineterminator="\n")
        if not text:
            writer.writerow(header)
        for row in rows:
            writer.writerow([escape_cell(row.get(c)) or "" for c in header])
        handle.write(lines.getvalue().encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def decision_pairs(decisions: pl.DataFrame, normalized: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """-> ((uid_l, uid_r, decision) with uid_l < uid_r, last decision per pair wins;
    the number of decisions naming unknown records)."""
    keys = normalized.select(F.RECORD_KEY, F.UID)
    joined = (decisions.with_row_index("order")
              .join(keys.rename({F.RECORD_KEY: "record_a", F.UID: "a"}), on="record_a",
                    how="left")
              .join(keys.rename({F.RECORD_KEY: "record_b", F.UID: "b"}), on="record_b",
                    how="left"))
    unknown = joined.filter(pl.col("a").is_null() | pl.col("b").is_null()).height
    pairs = (joined.drop_nulls(["a", "b"]).filter(pl.col("a") != pl.col("b"))
             .select(pl.min_horizontal("a", "b").alias(F.UID_L),
                     pl.max_horizontal("a", "b").alias(F.UID_R), "decision", "order")
             .sort("order").unique([F.UID_L, F.UID_R], keep="last", maintain_order=True)
             .drop("order").sort(F.UID_L, F.UID_R))
    return pairs, unknown
