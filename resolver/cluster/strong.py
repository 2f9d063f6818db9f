"""The strong identifiers clustering keeps apart, one value per record."""

import polars as pl

from resolver import frames as F


def strong_values(normalized: pl.DataFrame, identifiers: tuple[str, ...]) -> dict[str, list]:
    """identifier -> per-record value (None when missing), uid order."""
    values = {"dob": pl.col(F.DOB_TEXT), "suffix": pl.col(F.SUFFIX),
              "first_name": pl.concat_str(F.FIRST_NAME, pl.lit("|"),
                                          pl.col(F.LAST_NAME).fill_null(""))}
    return {name: normalized.select(values.get(name, pl.col(name))).to_series().to_list()
            for name in identifiers}
