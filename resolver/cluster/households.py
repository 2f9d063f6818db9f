"""Individuals -> households: the people who live at one address unit.

An individual's household is decided by the unit-level key of their current (surviving)
address: a house, or one apartment (other units of the building are other households),
so spouses with different surnames are one household and a person who moved belongs to
the household at the new address. Individuals with no usable address join the household
of someone they share a phone or email with, else stand alone. Households link
individuals; they never merge them. IDs hash the address key, so they are stable.
"""

import polars as pl

from resolver import frames as F
from resolver.golden.ids import hashed_id

HOUSEHOLD_KEY = "household_key"


def _key_by_shared_contact(entities: pl.DataFrame, keyed: pl.DataFrame, column: str):
    contacts = (keyed.drop_nulls(column).group_by(column)
                .agg(pl.col(HOUSEHOLD_KEY).min().alias("via")))
    return entities.join(contacts, on=column, how="left").get_column("via")


def assign_households(entities: pl.DataFrame) -> pl.DataFrame:
    """entities: entity_id, address_key, phone, email -> entity_id, household_id."""
    keyed = entities.with_columns(pl.col(F.ADDRESS_KEY).alias(HOUSEHOLD_KEY))
    with_address = keyed.filter(pl.col(HOUSEHOLD_KEY).is_not_null())
    via_phone = _key_by_shared_contact(keyed, with_address, F.PHONE)
    via_email = _key_by_shared_contact(keyed, with_address, F.EMAIL)
    keyed = keyed.with_columns(
        pl.coalesce(pl.col(HOUSEHOLD_KEY), pl.lit(via_phone), pl.lit(via_email),
                    pl.concat_str(pl.lit("entity:"), pl.col(F.ENTITY_ID))).alias(HOUSEHOLD_KEY))
    taken: set[str] = set()
    keys = sorted(keyed.get_column(HOUSEHOLD_KEY).unique().to_list())
    ids = pl.DataFrame({HOUSEHOLD_KEY: keys,
                        F.HOUSEHOLD_ID: [hashed_id("H", k, taken) for k in keys]})
    return keyed.join(ids, on=HOUSEHOLD_KEY).select(F.ENTITY_ID, F.HOUSEHOLD_ID)


def household_name(surnames: list[str | None]) -> str:
    counts: dict[str, int] = {}
    for name in surnames:
        if name:
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return "Household"
    ranked = sorted(counts, key=lambda n: (-counts[n], n))[:2]
    return f"The {' & '.join(ranked)} household"


def household_table(golden: pl.DataFrame) -> pl.DataFrame:
    """golden records with household_id -> one row per household."""
    grouped = (golden.sort(F.ENTITY_ID)
               .group_by(F.HOUSEHOLD_ID)
               .agg(pl.col("last_name").alias("surnames"),
                    pl.col("address").drop_nulls().mode().sort().first().alias("address"),
                    pl.col(F.ENTITY_ID).alias("members"),
                    pl.concat_str([pl.col("first_name"), pl.col("last_name")], separator=" ",
                                  ignore_nulls=True).alias("member_names"),
                    pl.len().alias("member_count")))
    names = [household_name(s) for s in grouped.get_column("surnames").to_list()]
    return (grouped.with_columns(pl.Series("name", names, pl.String)).drop("surnames")
            .select(F.HOUSEHOLD_ID, "name", "address", "member_count", "members",
                    "member_names")
            .sort(F.HOUSEHOLD_ID))
