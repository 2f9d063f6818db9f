"""Records as a steward reads them: each record's values as its source file holds them,
read for just the records asked about (review and explain show them side by side; they
never appear in an error message). From the run's store when the output has one (its
records.parquet holds every record's raw values as ingest read them: a filtered scan,
not every source read again), else from the sources."""

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.config import Config
from resolver.ingest import field_expr, read_source_frame
from resolver.store import STORE

NAME_PARTS = ("prefix", "first_name", "middle_name", "last_name", "suffix")
ADDRESS_PARTS = ("street", "unit", "city", "state", "postcode", "country")
DISPLAY = ("name", "dob", "address", "email", "phone")


def _joined(fields: Iterable[str], separator: str) -> pl.Expr:
    return pl.concat_str([pl.col(f) for f in fields], separator=separator,
                         ignore_nulls=True).replace("", None)


def _display(extra_fields: tuple[str, ...]) -> list[pl.Expr]:
    return [
        pl.coalesce(_joined(NAME_PARTS, " "), pl.col("full_name")).alias("name"),
        pl.col("dob"),
        pl.coalesce(pl.col("address"), _joined(ADDRESS_PARTS, ", ")).alias("address"),
        pl.col("email"), pl.col("phone"), *(pl.col(f) for f in extra_fields),
    ]


def record_values(config: Config, keys: Iterable[str],
                  out_dir: Path | None = None) -> pl.DataFrame:
    """(record_key, name, dob, address, email, phone, extra fields...) as the sources
    give them, one row per key found; keys of unknown sources or ids are left out.
    out_dir: the run's output folder, whose store is read instead of the sources."""
    keys = list(keys)
    fields = (*F.CANONICAL_FIELDS, *config.extra_fields)
    schema = {F.RECORD_KEY: pl.String} | {c: pl.String for c in (*DISPLAY,
                                                                   *config.extra_fields)}
    stored = out_dir / STORE / "records.parquet" if out_dir is not None else None
    if stored is not None and stored.is_file():
        return (pl.scan_parquet(stored).filter(pl.col(F.RECORD_KEY).is_in(keys))
                .select(F.RECORD_KEY, *(pl.col(F.raw(f)).alias(f) for f in fields))
                .select(F.RECORD_KEY, *_display(config.extra_fields)).collect().cast(schema))
    wanted: dict[str, set[str]] = {}
    for key in keys:
        source, _, record_id = key.partition(":")
        wanted.setdefault(source, set()).add(record_id)
    frames = [pl.DataFrame(schema=schema)]
    for source in config.sources:
        ids = wanted.get(source.name)
        if not ids:
            continue
        frame = read_source_frame(source)
        record_id = pl.col(source.id_column).str.strip_chars()
        rows = frame.filter(record_id.is_in(list(ids))).select(
            (pl.lit(f"{source.name}:") + record_id).alias(F.RECORD_KEY),
            *((field_expr(f, source.columns[f]) if f in source.columns
               else pl.lit(None, pl.String)).alias(f) for f in fields))
        frames.append(rows.select(F.RECORD_KEY, *_display(config.extra_fields))
                      .cast(schema))
    return pl.concat(frames)
