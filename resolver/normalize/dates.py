"""Dates: per-source formats from the config, or one format detected per source column.

Detection picks, per column, the candidate format that parses the most distinct values
(never a different format per value, which would silently swap day and month); on a tie
month-first wins for region US, day-first elsewhere.

A date outside the valid range (`normalize.dob_min`, default 1000-01-01, to
`normalize.dob_max`, default today) or one the calendar does not have (1963-10-64, 30
February) is `invalid`, but its digits stay in dob_text as YYYYMMDD: a typo in a date is
still evidence for the edit-distance levels, and golden records never pick an invalid date
first. Placeholders such as 1900-01-01 are junk. A day/month swap between two records is
recognised at comparison time, never rewritten here.
"""

import datetime as dt
import re

import polars as pl

from resolver import frames as F

ISO_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d")
MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y")
DAY_FIRST = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
WORDY = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%b %d, %Y", "%B %d, %Y")
JUNK_DATES = frozenset({"19000101", "18991231", "11111111", "19010101", "99991231",
                        "00000000", "19700101"})
TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f",
                     "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%SZ", *ISO_FORMATS,
                     *MONTH_FIRST, *DAY_FIRST)


_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00(\.0+)?)?(Z|[+-]00:?00)?$"


def _trim(col: pl.Expr) -> pl.Expr:
    return col.str.strip_chars().str.replace_all(r"\s+", " ")


def _clean(col: pl.Expr) -> pl.Expr:
    """A date trimmed and single-spaced; a birth date stored as a midnight timestamp
    ("1980-01-31T00:00:00", a Parquet datetime column) keeps its date."""
    return _trim(col).str.replace(_MIDNIGHT, "${1}")


def detect_date_format(values: pl.Series, region: str = "US") -> str | None:
    """The format that parses most of a column's distinct values; None when none does."""
    distinct = pl.DataFrame({"v": values.drop_nulls().unique()}).select(_clean(pl.col("v")))
    if distinct.height == 0:
        return None
    order = (*ISO_FORMATS, *(MONTH_FIRST + DAY_FIRST if region == "US" else
                             DAY_FIRST + MONTH_FIRST), *WORDY)
    parsed = distinct.select(
        pl.col("v").str.to_date(fmt, strict=False).is_not_null().sum().alias(str(i))
        for i, fmt in enumerate(order)
    ).row(0)
    best = max(range(len(order)), key=lambda i: (parsed[i], -i))
    return order[best] if parsed[best] else None


DOB_MIN = dt.date(1000, 1, 1)  # wide: genealogical and historical records go back centuries
# why a date is not `ok`, for `validate` and `profile`
PROBLEMS = ("unreadable", "not a calendar date", "before dob_min", "after dob_max",
            "placeholder")
_PATTERN_CODES = {"Y": r"(?P<Y>\d{4})", "m": r"(?P<m>\d{1,2})", "d": r"(?P<d>\d{1,2})",
                  "b": r"(?P<b>[A-Za-z]{3})", "B": r"(?P<b>[A-Za-z]{3})[A-Za-z]*"}
_MONTHS = {m: f"{i:02d}" for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}


def _format_pattern(fmt: str) -> str | None:
    """A regex with groups Y, m (or b) and d for a strftime date format, to read the parts
    of a value the calendar rejects ("1963-10-64"); None for formats with other codes (a
    two-digit year has no century to give it)."""
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            if fmt[i + 1] not in _PATTERN_CODES:
                return None
            out.append(_PATTERN_CODES[fmt[i + 1]])
            i += 2
        else:
            out.append(r"\s+" if fmt[i] == " " else re.escape(fmt[i]))
            i += 1
    pattern = "".join(out)
    if not all(f"(?P<{g}>" in pattern for g in ("Y", "d")) or not (
            "(?P<m>" in pattern or "(?P<b>" in pattern):
        return None
    return f"(?i)^{pattern}$"


def _digits_as_written(col: pl.Expr, fmt: str | None) -> pl.Expr:
    """YYYYMMDD from the parts of a value shaped like the format, whether or not it is a
    real date; null when the value does not have the format's shape."""
    pattern = _format_pattern(fmt) if fmt else None
    if pattern is None:
        return pl.lit(None, pl.String)
    groups = col.str.extract_groups(pattern)
    month = (groups.struct.field("m") if "(?P<m>" in pattern else
             groups.struct.field("b").str.to_lowercase().replace_strict(
                 _MONTHS, default=None, return_dtype=pl.String))
    return pl.concat_str(groups.struct.field("Y"), month.str.zfill(2),
                         groups.struct.field("d").str.zfill(2))


def _parts(values: pl.Series, fmt: str | None, earliest: dt.date | None,
           latest: dt.date | None) -> pl.DataFrame:
    """dob, dob_text, dob_status and the problem (None when ok or missing) per value."""
    earliest = earliest or DOB_MIN
    latest = latest or dt.date.today()  # the real date: a birth in 2030 is not valid today
    clean = _clean(pl.col("raw"))
    parsed = clean.str.to_date(fmt, strict=False) if fmt else pl.lit(None, pl.Date)
    text = pl.coalesce(pl.col("parsed").dt.strftime("%Y%m%d"), _digits_as_written(clean, fmt))
    # each step materialised once: an eager select recomputes shared expressions
    frame = (pl.DataFrame({"raw": values.cast(pl.String)})
             .with_columns(parsed.alias("parsed"), (clean.is_null() | (clean == "")).alias("empty"))
             .with_columns(text.alias("text"))
             .with_columns(pl.when(pl.col("text").str.contains(r"^\d{8}$")).then(pl.col("text"))
                           .alias("text")))  # not year -85 or 12345
    parsed, text, empty = pl.col("parsed"), pl.col("text"), pl.col("empty")
    problem = (
        pl.when(empty).then(pl.lit(None, pl.String))
        .when(text.is_null()).then(pl.lit(PROBLEMS[0]))
        .when(text.is_in(list(JUNK_DATES))).then(pl.lit(PROBLEMS[4]))
        .when(parsed.is_null()).then(pl.lit(PROBLEMS[1]))
        .when(parsed < pl.lit(earliest)).then(pl.lit(PROBLEMS[2]))
        .when(parsed > pl.lit(latest)).then(pl.lit(PROBLEMS[3]))
    )
    frame = frame.with_columns(problem.alias("problem"))
    problem = pl.col("problem")
    status = (pl.when(empty).then(pl.lit(F.STATUS_MISSING))
              .when(problem == PROBLEMS[4]).then(pl.lit(F.STATUS_JUNK))
              .when(problem.is_not_null()).then(pl.lit(F.STATUS_INVALID))
              .otherwise(pl.lit(F.STATUS_OK)))
    kept = status.is_in([F.STATUS_OK, F.STATUS_INVALID])
    return frame.select(
        pl.when(status == F.STATUS_OK).then(parsed).alias(F.DOB),
        pl.when(kept).then(text).alias(F.DOB_TEXT),
        status.alias(F.DOB_STATUS),
        problem,
    )


def share_parsed(values: pl.Series, fmt: str, timestamp: bool = False) -> float | None:
    """The share of a column's non-empty values that `fmt` parses (None: no values)."""
    tidy = _trim if timestamp else _clean
    frame = pl.DataFrame({"v": values.cast(pl.String)}).select(tidy(pl.col("v")))
    frame = frame.filter(pl.col("v").is_not_null() & (pl.col("v") != ""))
    if frame.height == 0:
        return None
    try:
        parsed = (pl.col("v").str.to_datetime(fmt, strict=False, time_unit="us") if timestamp
                  else pl.col("v").str.to_date(fmt, strict=False))
        return frame.select(parsed.is_not_null().mean()).item()
    except pl.exceptions.PolarsError:  # a format polars cannot use parses nothing
        return 0.0


def parse_date_column(values: pl.Series, fmt: str | None, region: str = "US",
                      earliest: dt.date | None = None,
                      latest: dt.date | None = None) -> pl.DataFrame:
    """Raw strings -> dob (Date, valid dates only), dob_text (YYYYMMDD, also for invalid
    dates written in the column's format) and dob_status, one row per value."""
    fmt = fmt or detect_date_format(values, region)
    return _parts(values, fmt, earliest, latest).drop("problem")


def date_problems(values: pl.Series, fmt: str | None, region: str = "US",
                  earliest: dt.date | None = None,
                  latest: dt.date | None = None) -> dict[str, int]:
    """How many values are not valid dates, by reason (PROBLEMS); reasons with none left
    out."""
    fmt = fmt or detect_date_format(values, region)
    counts = _parts(values, fmt, earliest, latest).get_column("problem").value_counts()
    found = dict(counts.drop_nulls().iter_rows())
    return {p: found[p] for p in PROBLEMS if p in found}


def parse_timestamp_column(values: pl.Series, fmt: str | None) -> pl.Series:
    """updated_at: the declared format, else the first of the common ones that parses."""
    col = _trim(pl.col("raw"))
    formats = (fmt,) if fmt else TIMESTAMP_FORMATS
    return pl.DataFrame({"raw": values.cast(pl.String)}).select(
        pl.coalesce([col.str.to_datetime(f, strict=False, time_unit="us") for f in formats])
        .alias(F.UPDATED_AT)
    ).to_series()
