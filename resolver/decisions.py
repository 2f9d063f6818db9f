"""Steward decisions: a CSV the config names (`decisions.path`), one row per reviewed pair.

    record_a,record_b,decision,reviewer,timestamp,note
    crm:C0000012,web:100345,match,alice,2026-01-05T10:00:00,same email and phone
    crm:C0000099,pos:L00000007,no_match,bob,2026-01-06T09:30:00,father and son

`decision` is `match` (must-link) or `no_match` (cannot-link). Later rows about the same
pair override earlier ones. Every run honours them: a must-link joins the two records'
individuals whatever the model says; a cannot-link keeps them apart even through third
records. Decisions naming records that are not in the input are ignored and counted.
"""

from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.errors import InputError

COLUMNS = ("record_a", "record_b", "decision", "reviewer", "timestamp", "note")
VALUES = ("match", "no_match")


def read_decisions(path: Path | None) -> pl.DataFrame:
    """The decisions file as a frame (empty when there is none yet)."""
    empty = pl.DataFrame(schema={c: pl.String for c in COLUMNS})
    if path is None or not path.is_file():
        return empty
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except pl.exceptions.PolarsError:
        raise InputError(f"decisions file {path}: not a readable CSV. Expected the columns "
                         f"{', '.join(COLUMNS)}") from None
    missing = [c for c in COLUMNS[:3] if c not in frame.columns]
    if missing:
        raise InputError(f"decisions file {path}: missing column(s) {missing}. Expected "
                         f"{', '.join(COLUMNS)}")
    bad = frame.with_row_index("row", 2).filter(~pl.col("decision").is_in(VALUES))
    if bad.height:
        raise InputError(f"decisions file {path}: row {bad.item(0, 'row')} has decision "
                         f"other than {' or '.join(VALUES)}. Fix or remove that row")
    return frame.select([pl.col(c) if c in frame.columns else pl.lit(None, pl.String).alias(c)
                         for c in COLUMNS])


def append_decision(path: Path, row: dict) -> None:
    """Add one decision at the end of the file, creating it with a header if needed."""
    frame = pl.DataFrame([{c: row.get(c) for c in COLUMNS}], schema={c: pl.String
                                                                     for c in COLUMNS})
    path.parent.mkdir(parents=True, exist_ok=True)
    exists = path.is_file() and path.stat().st_size > 0
    with path.open("a", encoding="utf-8") as handle:
        frame.write_csv(handle, include_header=not exists)


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
