"""Formula-safe CSV cells, after OWASP's guidance on CSV injection.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or
carriage return) as a formula. Every text cell resolver writes to a CSV file that starts
with one of these gets a single quote in front; the rest of the value, a leading tab
included, is kept as it was. Numeric columns are numbers (-3 is not a formula) and are
left alone.

The quote is undone when resolver reads its own CSV back (`unescape_frame`). So that this
is exact, a value that already starts with a quote followed by a trigger or another quote
is quoted once more: writing then reading gives back every value unchanged.
"""

import polars as pl

TRIGGERS = "=+-@\t\r"
_CLASS = r"[=+\-@\t\r']"  # the triggers and the quote, as a regex character class
_NEEDS_QUOTE = r"^(?:[=+\-@\t\r]|'" + _CLASS + ")"
_QUOTED = "^'" + _CLASS


def escape_cell(value: str | None) -> str | None:
    """One value as it is written to a CSV cell."""
    if value and (value[0] in TRIGGERS or (value[0] == "'" and value[1:2] and
                                           value[1] in TRIGGERS + "'")):
        return "'" + value
    return value


def unescape_cell(value: str | None) -> str | None:
    """A CSV cell resolver wrote, as the value it was."""
    if value and value[0] == "'" and value[1:2] and value[1] in TRIGGERS + "'":
        return value[1:]
    return value


def _text_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c, t in frame.schema.items()
            if t == pl.String or isinstance(t, (pl.Categorical, pl.Enum))]


def escape_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column with formula triggers quoted (other columns as they are)."""
    return frame.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(_NEEDS_QUOTE))
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String)).alias(c)
        for c in _text_columns(frame))


def unescape_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The inverse of `escape_frame` on a CSV read back as text."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_QUOTED)).then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c)).alias(c)
        for c in _text_columns(frame))
