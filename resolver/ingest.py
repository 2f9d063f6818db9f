"""sources -> records: one frame of every input record, raw values as strings.

Reads each configured source (CSV or Parquet) with polars, checks the id column and every
mapped column exists, that record ids are present and unique within their source, and
renames mapped columns to `raw_<field>`. Any problem is an InputError naming the file,
column or row and the fix; no record is ever dropped.
"""

import polars as pl

from resolver import frames as F
from resolver.config import Config, Source
from resolver.errors import InputError
from resolver.normalize.dates import parse_timestamp_column


def _scan(source: Source) -> pl.LazyFrame:
    if source.format == "parquet":
        return pl.scan_parquet(source.path)
    return pl.scan_csv(source.path, infer_schema=False, separator=source.delimiter,
                       encoding="utf8-lossy")


def read_source_frame(source: Source) -> pl.DataFrame:
    """The columns the config maps from a source (lazily scanned), every one a string."""
    if not source.path.is_file():
        raise InputError(f"source {source.name!r}: file not found: {source.path}. "
                         "Fix the path in the config (relative paths start at the config's "
                         "folder)")
    try:
        scan = _scan(source)
        check_columns(source, scan.collect_schema().names())
        wanted = sorted({source.id_column, *mapped_columns(source),
                         *([source.updated_at_column] if source.updated_at_column else [])})
        return scan.select(pl.col(c).cast(pl.String) for c in wanted).collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        kind = type(exc).__name__
        raise InputError(f"source {source.name!r}: cannot read {source.path} as "
                         f"{source.format} ({kind}). Check the file's format, delimiter and "
                         "encoding (UTF-8)") from None


def mapped_columns(source: Source) -> list[str]:
    """Every file column the mapping reads, joined ones included."""
    return [c for v in source.columns.values() for c in ((v,) if isinstance(v, str) else v)]


def field_expr(field: str, column: str | tuple[str, ...]) -> pl.Expr:
    """A field's raw value: one column, or several joined. A date's parts join with "-"
    ("1850-3-7" parses as %Y-%m-%d; "7-3-1850" as %d-%m-%Y) and any missing part leaves
    no date; other fields join with spaces, skipping missing parts."""
    if isinstance(column, str):
        return pl.col(column)
    parts = [pl.col(c).str.strip_chars().replace("", None) for c in column]
    if field == "dob":
        return pl.concat_str(parts, separator="-")
    return pl.concat_str(parts, separator=" ", ignore_nulls=True).replace("", None)


def check_columns(source: Source, columns: list[str]) -> None:
    wanted = {"id_column": source.id_column}
    for field, value in source.columns.items():
        for column in (value,) if isinstance(value, str) else value:
            wanted[f"columns.{field}" + ("" if isinstance(value, str) else f" ({column})")] = \
                column
    if source.updated_at_column:
        wanted["updated_at"] = source.updated_at_column
    missing = [f"{key} = {col!r}" for key, col in wanted.items() if col not in columns]
    if missing:
        raise InputError(f"source {source.name!r} ({source.path}): column(s) not found: "
                         f"{', '.join(missing)}. The file has {columns}; fix the "
                         "mapping in the config")


def check_ids(source: Source, ids: pl.Series) -> None:
    empty = ids.is_null() | (ids.str.strip_chars() == "")
    if empty.any():
        row = int(empty.arg_true()[0]) + 1
        raise InputError(f"source {source.name!r} ({source.path}): row {row} has no value in "
                         f"id column {source.id_column!r}. Every record needs a unique id")
    duplicated = ids.is_duplicated()
    if duplicated.any():
        rows = (duplicated.arg_true()[:2] + 1).to_list()
        raise InputError(f"source {source.name!r} ({source.path}): id column "
                         f"{source.id_column!r} repeats the same id at rows {rows}. Ids must "
                         "be unique within a source")


def read_source(source: Source, fields: tuple[str, ...]) -> pl.DataFrame:
    frame = read_source_frame(source)
    ids = frame.get_column(source.id_column).str.strip_chars()
    check_ids(source, ids)
    updated = (parse_timestamp_column(frame.get_column(source.updated_at_column),
                                      source.formats.get("updated_at"))
               if source.updated_at_column else pl.Series(F.UPDATED_AT, [None] * frame.height,
                                                          pl.Datetime("us")))
    columns = [
        pl.lit(source.name).alias(F.SOURCE),
        ids.alias(F.RECORD_ID),
        pl.int_range(1, frame.height + 1, dtype=pl.UInt32).alias(F.ROW_NUMBER),
        updated.alias(F.UPDATED_AT),
    ]
    for field in fields:
        column = source.columns.get(field)
        columns.append((field_expr(field, column) if column else pl.lit(None, pl.String))
                       .alias(F.raw(field)))
    return frame.select(columns)


def ingest(config: Config) -> pl.DataFrame:
    """Every record of every source, sorted by (source, record_id), with a dense uid."""
    fields = (*F.CANONICAL_FIELDS, *config.extra_fields)
    frames = [read_source(source, fields) for source in config.sources]
    records = pl.concat(frames, how="vertical").sort(F.SOURCE, F.RECORD_ID)
    if records.height == 0:
        names = ", ".join(f"{s.name} ({s.path})" for s in config.sources)
        raise InputError(f"every source is empty: {names}. Point the config at files with "
                         "records")
    return records.with_columns(
        pl.int_range(0, records.height, dtype=pl.UInt32).alias(F.UID),
        pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias(F.RECORD_KEY),
    )
