"""`resolver profile` and report.html's data quality: per source and field, what the data
holds and what normalization made of it: fill rate, distinct values, values that failed
to parse and values treated as junk (placeholders). `quality` holds counts only (it goes
into report.html); `profile` adds the most common values for the terminal.

`quality` is one group-by over the normalized frame, so a million records cost a pass of
column expressions, not a Python loop over rows. A field's junk and failed counts come
from the status column normalization wrote for it; fields parsed together (the name
parts, street and address) share that column, so each of them reports its counts."""

import polars as pl

from resolver import frames as F

STATUS_OF = {  # raw field -> the status column normalization writes for it
    "full_name": F.NAME_STATUS, "first_name": F.NAME_STATUS, "last_name": F.NAME_STATUS,
    "dob": F.DOB_STATUS, "address": F.ADDRESS_STATUS, "street": F.ADDRESS_STATUS,
    "email": F.EMAIL_STATUS, "phone": F.PHONE_STATUS,
}
FAILED = (F.STATUS_INVALID, "unparsed", "partial")
MEASURES = ("filled", "distinct", "junk", "failed")
SCHEMA = {F.SOURCE: pl.String, "field": pl.String, "records": pl.Int64, "filled": pl.Int64,
          "fill_rate": pl.Float64, "distinct": pl.Int64, "junk": pl.Int64,
          "failed": pl.Int64}


def _measures(field: str) -> list[pl.Expr]:
    raw = pl.col(F.raw(field))
    present = raw.is_not_null() & (raw.str.strip_chars() != "")
    status = STATUS_OF.get(field)
    junk = (pl.col(status) == F.STATUS_JUNK).sum() if status else pl.lit(0)
    failed = (pl.col(status).is_in(FAILED) & present).sum() if status else pl.lit(0)
    return [e.cast(pl.Int64).alias(f"{m}|{field}") for m, e in
            zip(MEASURES, (present.sum(), raw.filter(present).n_unique(), junk, failed))]


def quality(normalized: pl.DataFrame, mapped: dict[str, list[str]]) -> pl.DataFrame:
    """mapped: source -> the fields its config maps. One row per (source, field) a source
    maps and holds records of: records, filled, fill_rate, distinct, junk, failed."""
    fields = sorted({f for names in mapped.values() for f in names})
    if normalized.height == 0 or not fields:
        return pl.DataFrame(schema=SCHEMA)
    wanted = pl.DataFrame([(s, f) for s, names in mapped.items() for f in names],
                          schema=[F.SOURCE, "field"], orient="row")
    per_source = normalized.group_by(F.SOURCE).agg(
        pl.len().cast(pl.Int64).alias("records"), *(e for f in fields for e in _measures(f)))
    return (per_source.unpivot(index=[F.SOURCE, "records"])
            .with_columns(pl.col("variable").str.split_exact("|", 1)
                          .struct.rename_fields(["measure", "field"]))
            .unnest("variable")
            .pivot("measure", index=[F.SOURCE, "field", "records"], values="value")
            .join(wanted, on=[F.SOURCE, "field"])
            .with_columns((pl.col("filled") / pl.col("records")).alias("fill_rate"))
            .select(*SCHEMA).cast(SCHEMA).sort(F.SOURCE, "field"))


def profile(normalized: pl.DataFrame, mapped: dict[str, list[str]], top: int = 3) -> pl.DataFrame:
    """`quality` with each field's most common values (for the terminal only)."""
    counts = quality(normalized, mapped)
    common = []
    for source, field in counts.select(F.SOURCE, "field").iter_rows():
        raw = normalized.filter(pl.col(F.SOURCE) == source).get_column(F.raw(field))
        filled = raw.drop_nulls().filter(raw.drop_nulls().str.strip_chars() != "")
        common.append("; ".join(filled.value_counts(sort=True).head(top).select(
            pl.concat_str(pl.col(filled.name), pl.lit(" ("), pl.col("count").cast(pl.String),
                          pl.lit(")"))).to_series().to_list()))
    return counts.with_columns(pl.Series("most_common", common, dtype=pl.String)).select(
        F.SOURCE, "field", "records", "filled", "fill_rate", "distinct", "most_common",
        "failed", "junk")
