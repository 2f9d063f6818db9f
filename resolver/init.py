"""`resolver init SOURCE...`: a starter config with a guessed column mapping.

Per file: the encoding and delimiter are sniffed (sniff.py), each header is matched to a
canonical field by its words (headers.py), the id column is the first id-like column whose
values are present and unique, and columns left over are listed as commented
`extra_fields` suggestions. Comparisons and blocking rules are proposed only for fields
that some source maps. Every guess is a line of the config the user can check.
"""

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from resolver import headers
from resolver.config import FORMATS
from resolver.errors import InputError
from resolver.init_settings import settings_lines
from resolver.normalize.dates import parse_timestamp_column, share_parsed
from resolver.sniff import sniff_csv

MIN_SHARE = 0.5  # a header's date format, or a recency column, must parse this much


@dataclass
class Guess:
    """What init makes of one file."""
    path: Path
    name: str
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> column
    id_column: str | None = None
    updated_at: str | None = None
    formats: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    delimiter: str = ","
    unmapped: list[str] = field(default_factory=list)


def read_sample(path: Path) -> tuple[pl.DataFrame, str, str]:
    """-> (the file as text columns, encoding, delimiter)."""
    if not path.is_file():
        raise InputError(f"file not found: {path}. Give the paths of CSV or Parquet files")
    if FORMATS.get(path.suffix.lower()) == "parquet":
        try:
            frame = pl.read_parquet(path)
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise InputError(f"cannot read {path} as Parquet ({type(exc).__name__}). Give a "
                             "CSV file with a header line, or a Parquet file") from None
        return frame.select(pl.all().cast(pl.String)), "utf-8", ","
    encoding, delimiter, text = sniff_csv(path)
    try:
        if "\0" in text or not text.strip():  # binary or empty: diagnose_csv says which
            raise pl.exceptions.ComputeError("not CSV text")
        frame = pl.read_csv(text.encode("utf-8"), separator=delimiter, infer_schema=False)
    except pl.exceptions.PolarsError:
        from resolver.ingest import diagnose_csv

        why = diagnose_csv(path, delimiter, encoding) or "it cannot be read as CSV"
        raise InputError(f"cannot read {path}: {why}. Give a CSV file with a header line "
                         "(delimited by , ; tab or |), or a Parquet file") from None
    return frame, encoding, delimiter


def _unique_ids(values: pl.Series) -> bool:
    ids = values.str.strip_chars()
    return values.len() > 0 and ids.null_count() == 0 and not (ids == "").any() and \
        ids.n_unique() == ids.len()


def _parses_as_timestamp(values: pl.Series) -> bool:
    present = values.drop_nulls().filter(values.drop_nulls().str.strip_chars() != "")
    return present.len() > 0 and (
        parse_timestamp_column(present, None).is_not_null().mean() >= MIN_SHARE)


def guess_source(path: Path, name: str) -> Guess:
    frame, encoding, delimiter = read_sample(path)
    guess = Guess(path, name, encoding=encoding, delimiter=delimiter)
    for column in frame.columns:
        canonical = headers.field_of(column)
        if canonical and canonical != "record_id" and canonical not in guess.columns:
            guess.columns[canonical] = column
    dob = guess.columns.get("dob")
    fmt = dob and headers.date_format_in(dob)
    if fmt and (share_parsed(frame.get_column(dob), fmt) or 0) >= MIN_SHARE:
        guess.formats["dob"] = fmt
    free = [c for c in frame.columns if c not in guess.columns.values()]
    id_like = sorted((c for c in free if headers.is_id_like(c)),
                     key=lambda c: headers.field_of(c) != "record_id")
    guess.id_column = next((c for c in id_like + free if _unique_ids(frame.get_column(c))),
                           None)
    guess.updated_at = next((c for c in free if c != guess.id_column and headers.is_recency(c)
                             and _parses_as_timestamp(frame.get_column(c))), None)
    guess.unmapped = [c for c in free if c not in (guess.id_column, guess.updated_at)]
    return guess


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but for DEL)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _source_names(paths: list[Path]) -> list[str]:
    names: list[str] = []
    for path in paths:
        base = re.sub(r"[^a-z0-9_]", "_", path.stem.lower()).strip("_") or "source"
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def source_lines(guess: Guess, config_dir: Path) -> list[str]:
    rel = Path(os.path.relpath(guess.path.resolve(), config_dir.resolve()))
    lines = ["[[sources]]", f"name = {_toml(guess.name)}", f"path = {_toml(rel.as_posix())}"]
    if guess.path.suffix.lower() not in FORMATS:
        lines.append('format = "csv"')
    if guess.id_column is None:
        lines.append("# no column holds a present, unique value on every row: name one")
    lines.append(f"id_column = {_toml(guess.id_column or 'FILL_IN_ID_COLUMN')}")
    if guess.updated_at:
        lines.append(f"updated_at = {_toml(guess.updated_at)}")
    if guess.encoding != "utf-8":
        lines.append(f"encoding = {_toml(guess.encoding)}")
    if guess.delimiter != ",":
        lines.append(f"delimiter = {_toml(guess.delimiter)}")
    lines.append("[sources.columns]")
    lines += [f"{canonical} = {_toml(column)}" for canonical, column in guess.columns.items()]
    if guess.unmapped:
        lines.append("# not mapped; to use one, add its name to extra_fields at the top and")
        lines.append("# uncomment its line (then compare it in a [[comparisons]] table):")
        lines += [f"# {headers.extra_field_name(c)} = {_toml(c)}" for c in guess.unmapped]
    if guess.formats:
        lines.append("[sources.formats]")
        lines += [f"{k} = {_toml(v)}  # from the column's header" for k, v in
                  guess.formats.items()]
    return lines + [""]


def starter_config(sources: list[Path], config_dir: Path) -> str:
    """TOML text of a starter config; every guess is a line the user can check."""
    guesses = [guess_source(p, n) for p, n in zip(sources, _source_names(sources))]
    mapped = {f for g in guesses for f in g.columns}
    settings = settings_lines(mapped)  # raises when no field can be compared
    parts = ["# Starter config written by `resolver init`. Check every mapping, then run",
             "#   resolver validate THIS_FILE", ""]
    extra = sorted({headers.extra_field_name(c) for g in guesses for c in g.unmapped})
    if extra:
        parts += ["# columns no canonical field fits; declare the ones to compare, e.g.",
                  f"# extra_fields = [{', '.join(_toml(e) for e in extra)}]", ""]
    for guess in guesses:
        parts += source_lines(guess, config_dir)
    return "\n".join(parts + settings)
