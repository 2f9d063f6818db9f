"""sources -> records: one frame of every input record, raw values as strings.

Reads each configured source (CSV or Parquet) with polars, checks the id column and every
mapped column exists, that record ids are present and unique within their source, and
renames mapped columns to `raw_<field>`. Any problem is an InputError naming the file,
column or row and the fix; no record is ever dropped.
"""

import csv
import io
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.config import Config, Source
from resolver.errors import InputError
from resolver.normalize.dates import parse_timestamp_column, share_parsed

# a declared format that parses less than this share of a column's non-empty values is
# the wrong format, not messy data: `run` and `validate` both stop on it
MIN_PARSED_SHARE = 0.5


def _scan(source: Source) -> pl.LazyFrame:
    if source.format == "parquet":
        return pl.scan_parquet(source.path)
    if source.encoding == "utf-8":  # strict: an undecodable byte is an error, never U+FFFD
        return pl.scan_csv(source.path, infer_schema=False, separator=source.delimiter,
                           encoding="utf8")
    text = source.path.read_bytes().decode(source.encoding)
    return pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False,
                       separator=source.delimiter).lazy()


def _where(source: Source) -> str:
    return f"source {source.name!r} ({source.path})"


def diagnose_csv(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> str | None:
    """Why a CSV file cannot be read, by line number (never quoting its content):
    an undecodable byte, or a line with more or fewer fields than the header."""
    data = path.read_bytes()
    if not data.strip():
        return "the file is empty (not even a header line)"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        hint = ('; if the file is Latin-1 (ISO-8859-1) or Windows-1252, set encoding = '
                '"latin-1" or "cp1252" for this source') if encoding == "utf-8" else ""
        return (f"line {line} has bytes that are not valid {encoding}{hint}")
    if "\0" in text:
        line = text[:text.index("\0")].count("\n") + 1
        return f"line {line} holds a NUL byte: this is a binary file, not CSV text"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    width, start = None, 1
    try:
        for row in reader:
            if width is None:
                width = len(row)
            elif row and len(row) != width:
                where = (f"line {start}" if reader.line_num == start else
                         f"the record on lines {start}-{reader.line_num} (a quote opened on "
                         f"line {start} is never closed?)")
                return (f"{where} has {len(row)} field(s), the header has {width}; check the "
                        "delimiter and quoting of that line")
            start = reader.line_num + 1
    except csv.Error:
        return f"line {reader.line_num} cannot be parsed as CSV (check its quotes)"
    return None


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
    except UnicodeDecodeError:
        raise InputError(f"{_where(source)}: {_diagnose(source)}. Fix the file or the "
                         "source's encoding") from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        why = (_diagnose(source) if source.format == "csv" and source.path.is_file()
               else None) or f"cannot read it as {source.format} ({type(exc).__name__})"
        raise InputError(f"{_where(source)}: {why}. Check the file's format, delimiter "
                         f"and encoding ({source.encoding})") from None


def _diagnose(source: Source) -> str | None:
    return diagnose_csv(source.path, source.delimiter, source.encoding)


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
    """Every mapped column is in the header. The header is only quoted back when it is
    one: a file without a header line has a record there (customer data)."""
    if any("\n" in c or "\r" in c for c in columns):
        raise InputError(f"{_where(source)}: the header line opens a quote that is never "
                         "closed, so the whole file reads as column names. Fix the quotes "
                         "of line 1")
    wanted = {"id_column": source.id_column}
    for field, value in source.columns.items():
        for column in (value,) if isinstance(value, str) else value:
            wanted[f"columns.{field}" + ("" if isinstance(value, str) else f" ({column})")] = \
                column
    if source.updated_at_column:
        wanted["updated_at"] = source.updated_at_column
    missing = [f"{key} = {col!r}" for key, col in wanted.items() if col not in columns]
    why = _diagnose(source) if len(missing) == len(wanted) and source.format == "csv" else None
    if why:  # not a header problem but an unreadable file (binary, another encoding)
        raise InputError(f"{_where(source)}: {why}. Fix the file or the source's encoding")
    if len(missing) == len(wanted):
        hint = "; check the source's delimiter" if len(columns) == 1 else ""
        raise InputError(f"{_where(source)}: none of the mapped columns is in line 1 of the "
                         f"file (it has {len(columns)} field(s){hint}). Give the file a header "
                         "line of column names, or fix the mapping in the config")
    if missing:
        raise InputError(f"{_where(source)}: column(s) not found: {', '.join(missing)}. "
                         f"The file has {columns}; fix the mapping in the config")


def check_declared_formats(source: Source, frame: pl.DataFrame) -> None:
    """A declared dob or updated_at format must parse most of its column: a wrong format
    would otherwise drop every value of the column without a word."""
    declared = {"dob": source.columns.get("dob"), "updated_at": source.updated_at_column}
    for field, column in declared.items():
        fmt = source.formats.get(field)
        if not fmt or not column:
            continue
        share = share_parsed(frame.get_column(column), fmt, timestamp=field == "updated_at")
        if share is not None and share < MIN_PARSED_SHARE:
            raise InputError(f"{_where(source)}: formats.{field} = {fmt!r} parses "
                             f"{share:.0%} of the non-empty values of column {column!r}. Fix "
                             f"formats.{field} in the config (strftime codes, e.g. %m/%d/%Y), "
                             "or remove it to detect the format")


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
    check_declared_formats(source, frame)
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
