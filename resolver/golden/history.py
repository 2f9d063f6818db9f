"""Who a customer has been: every distinct name, address, email and phone seen in the
individual's records, with first and last seen dates, the sources and the records that
carried it; and per-individual counts and dates."""

import polars as pl

from resolver import frames as F

HISTORY_VALUES = {
    "names": pl.concat_str([pl.col(F.NAME_DISPLAY[p]) for p in
                            ("first_name", "middle_name", "last_name", "suffix")],
                           separator=" ", ignore_nulls=True).replace("", None),
    "addresses": pl.col(F.ADDRESS_LINE),
    "emails": pl.col(F.EMAIL),
    "phones": pl.col(F.PHONE),
}


def history(records: pl.DataFrame) -> pl.DataFrame:
    """-> one row per entity, in entity order: a list column per kind of value, each item
    a struct of value, first_seen, last_seen, sources, records."""
    out = records.select(F.ENTITY_ID).unique().sort(F.ENTITY_ID)
    columns = []
    for name, value in HISTORY_VALUES.items():
        seen = (records.select(F.ENTITY_ID, value.alias("value"), F.UPDATED_AT, F.SOURCE,
                               F.RECORD_KEY)
                .drop_nulls("value")
                .group_by(F.ENTITY_ID, "value")
                .agg(pl.col(F.UPDATED_AT).min().alias("first_seen"),
                     pl.col(F.UPDATED_AT).max().alias("last_seen"),
                     pl.col(F.SOURCE).unique().sort().alias("sources"),
                     pl.col(F.RECORD_KEY).sort().alias("records"))
                .sort(F.ENTITY_ID, "last_seen", "value", descending=[False, True, False],
                      nulls_last=True)
                .group_by(F.ENTITY_ID, maintain_order=True)
                .agg(pl.struct("value", "first_seen", "last_seen", "sources", "records")
                     .alias(name)))
        # lined up with the entities by a join of this kind alone: joining each onto the
        # growing frame would gather the lists of the kinds before it again
        columns.append(out.join(seen, on=F.ENTITY_ID, how="left", maintain_order="left")
                       .get_column(name))
    return out.hstack(columns)


def entity_stats(records: pl.DataFrame) -> pl.DataFrame:
    """-> one row per entity, in entity order: record count, sources, first and last seen."""
    return records.group_by(F.ENTITY_ID).agg(
        pl.len().alias("record_count"),
        pl.col(F.SOURCE).unique().sort().alias("sources"),
        pl.col(F.UPDATED_AT).min().alias("first_seen"),
        pl.col(F.UPDATED_AT).max().alias("last_seen"),
    ).sort(F.ENTITY_ID)


def sole_history() -> list[pl.Expr]:
    """entity_stats' and history's columns for individuals of one record, read off it."""
    def one(expr: pl.Expr) -> pl.Expr:
        return pl.concat_list(expr)

    seen = [pl.col(F.UPDATED_AT).alias("first_seen"), pl.col(F.UPDATED_AT).alias("last_seen")]
    stats = [pl.lit(1, pl.UInt32).alias("record_count"), one(pl.col(F.SOURCE)).alias("sources"),
             *seen]
    kinds = [pl.when(value.is_not_null()).then(one(pl.struct(
        value.alias("value"), *seen, one(pl.col(F.SOURCE)).alias("sources"),
        one(pl.col(F.RECORD_KEY)).alias("records")))).alias(name)
        for name, value in HISTORY_VALUES.items()]
    return stats + kinds
