"""Dates: per-source formats from the config, or one format detected per source column.

Detection picks, per column, the candidate format that parses the most distinct values
(never a different format per value, which would silently swap day and month); on a tie
month-first wins for region US, day-first elsewhere. Impossible dates (30 February, the
future, before 1890) are flagged invalid; placeholders such as 1900-01-01 are junk. A
day/month swap between two records is recognised at comparison time, never rewritten here.
"""

import datetime as dt

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


def parse_date_column(values: pl.Series, fmt: str | None, region: str = "US",
                      today: dt.date | None = None) -> pl.DataFrame:
    """Raw strings -> dob (Date), dob_text (YYYYMMDD) and dob_status, one row per value."""
    fmt = fmt or detect_date_format(values, region)
    today = today or dt.date(2100, 1, 1)
    frame = pl.DataFrame({"raw": values.cast(pl.String)})
    parsed = _clean(pl.col("raw")).str.to_date(fmt, strict=False) if fmt else pl.lit(None,
                                                                                    pl.Date)
    text = parsed.dt.strftime("%Y%m%d")
    status = (
        pl.when(pl.col("raw").is_null() | (_clean(pl.col("raw")) == ""))
        .then(pl.lit(F.STATUS_MISSING))
        .when(parsed.is_null()).then(pl.lit(F.STATUS_INVALID))
        .when(text.is_in(list(JUNK_DATES))).then(pl.lit(F.STATUS_JUNK))
        .when((parsed > pl.lit(today)) | (parsed < pl.lit(dt.date(1890, 1, 1))))
        .then(pl.lit(F.STATUS_INVALID))
        .otherwise(pl.lit(F.STATUS_OK))
    )
    ok = status == F.STATUS_OK
    return frame.select(
        pl.when(ok).then(parsed).alias(F.DOB),
        pl.when(ok).then(text).alias(F.DOB_TEXT),
        status.alias(F.DOB_STATUS),
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


def parse_timestamp_column(values: pl.Series, fmt: str | None) -> pl.Series:
    """updated_at: the declared format, else the first of the common ones that parses."""
    col = _trim(pl.col("raw"))
    formats = (fmt,) if fmt else TIMESTAMP_FORMATS
    return pl.DataFrame({"raw": values.cast(pl.String)}).select(
        pl.coalesce([col.str.to_datetime(f, strict=False, time_unit="us") for f in formats])
        .alias(F.UPDATED_AT)
    ).to_series()
