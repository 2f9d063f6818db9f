"""`resolver profile`: per source and field, what the data holds and what normalization
made of it: fill rate, distinct values, most common values, values that failed to parse
and values treated as junk (placeholders)."""

import polars as pl

from resolver import frames as F

STATUS_OF = {  # raw field -> the status column normalization writes for it
    "full_name": F.NAME_STATUS, "first_name": F.NAME_STATUS, "last_name": F.NAME_STATUS,
    "dob": F.DOB_STATUS, "address": F.ADDRESS_STATUS, "street": F.ADDRESS_STATUS,
    "email": F.EMAIL_STATUS, "phone": F.PHONE_STATUS,
}
FAILED = (F.STATUS_INVALID, "unparsed", "partial")


def profile(normalized: pl.DataFrame, mapped: dict[str, list[str]], top: int = 3) -> pl.DataFrame:
    """mapped: source -> the fields its config maps. One row per (source, field)."""
    rows = []
    for (source,), group in normalized.group_by(F.SOURCE, maintain_order=True):
        for field in mapped[source]:
            raw = group.get_column(F.raw(field))
            filled = raw.drop_nulls().filter(raw.drop_nulls().str.strip_chars() != "")
            common = (filled.value_counts(sort=True).head(top)
                      .select(pl.concat_str(pl.col(filled.name), pl.lit(" ("),
                                            pl.col("count").cast(pl.String), pl.lit(")")))
                      .to_series().to_list())
            status = STATUS_OF.get(field)
            statuses = group.get_column(status) if status else None
            present = raw.is_not_null() & (raw.str.strip_chars() != "")
            rows.append({
                "source": source, "field": field, "records": group.height,
                "filled": filled.len(), "fill_rate": filled.len() / max(group.height, 1),
                "distinct": filled.n_unique(), "most_common": "; ".join(common),
                "failed": int((statuses.is_in(FAILED) & present).sum()) if status else 0,
                "junk": int((statuses == F.STATUS_JUNK).sum()) if status else 0,
            })
    return pl.DataFrame(rows).sort("source", "field")
