"""Individuals -> households: the people who live at one address unit.

An individual's household is decided by their current (surviving) address: a house, or
one apartment (other units of the building are other households), so spouses with
different surnames are one household and a person who moved belongs to the household at
the new address. Records are messy, so two individuals' addresses count as one unit when
they share house number and ZIP (or city) and their street names are close (Jaro-Winkler
>= 0.85), and their units agree; when one lacks the unit, a shared surname, phone or email
must support the link. Individuals without an address join someone they share a phone or
email with. Links are taken strongest first and a household never holds two different
units (neighbours stay apart). Households link individuals; they never merge them.
"""

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from resolver import frames as F
from resolver.cluster.union_find import UnionFind
from resolver.golden.ids import hashed_id

STREET_SIMILARITY = 0.85
PERSON_COLUMNS = (F.ENTITY_ID, F.HOUSE_NUMBER, F.STREET_NAME, F.UNIT_NUMBER, F.ZIP5, F.CITY,
                  F.ADDRESS_KEY, F.LAST_NAME, F.PHONE, F.EMAIL)


def _address_links(people: pl.DataFrame) -> pl.DataFrame:
    """(a, b, strength) for individuals whose current addresses are one unit."""
    placed = people.filter(pl.col(F.HOUSE_NUMBER).is_not_null()
                           & pl.col(F.STREET_NAME).is_not_null())
    pairs = []
    for where in (F.ZIP5, F.CITY):
        keyed = placed.filter(pl.col(where).is_not_null())
        joined = keyed.join(keyed, on=[F.HOUSE_NUMBER, where], suffix="_r").filter(
            pl.col("i") < pl.col("i_r"))
        pairs.append(joined.select("i", "i_r", *(pl.col(c) for c in (
            F.STREET_NAME, F.STREET_NAME + "_r", F.UNIT_NUMBER, F.UNIT_NUMBER + "_r",
            F.LAST_NAME, F.LAST_NAME + "_r", F.PHONE, F.PHONE + "_r", F.EMAIL,
            F.EMAIL + "_r"))))
    pairs = pl.concat(pairs).unique(["i", "i_r"], keep="first").sort("i", "i_r")
    if pairs.height == 0:
        return pl.DataFrame(schema={"i": pl.UInt32, "i_r": pl.UInt32, "strength": pl.Float64})
    similarity = process.cpdist(pairs.get_column(F.STREET_NAME).to_list(),
                                pairs.get_column(F.STREET_NAME + "_r").to_list(),
                                scorer=JaroWinkler.normalized_similarity, workers=-1)
    same = lambda c: pl.col(c).eq(pl.col(c + "_r")).fill_null(False)  # noqa: E731
    units_equal = pl.col(F.UNIT_NUMBER).eq_missing(pl.col(F.UNIT_NUMBER + "_r"))
    one_unit_missing = pl.col(F.UNIT_NUMBER).is_null() ^ pl.col(F.UNIT_NUMBER + "_r").is_null()
    support = same(F.LAST_NAME) | same(F.PHONE) | same(F.EMAIL)
    strength = (pl.when(units_equal).then(2.0 + pl.col("s"))
                .when(one_unit_missing & support).then(1.0 + pl.col("s"))
                .otherwise(None))
    return (pairs.with_columns(pl.Series("s", similarity, pl.Float64))
            .filter(pl.col("s") >= STREET_SIMILARITY)
            .select("i", "i_r", strength.cast(pl.Float64).alias("strength"))
            .drop_nulls("strength"))


def _contact_links(people: pl.DataFrame) -> pl.DataFrame:
    """(a, b, strength) joining an individual with no address to one they share a phone
    or email with."""
    links = []
    for column in (F.PHONE, F.EMAIL):
        keyed = people.filter(pl.col(column).is_not_null()).select("i", column, F.HOUSE_NUMBER)
        joined = keyed.join(keyed, on=column, suffix="_r").filter(
            (pl.col("i") != pl.col("i_r")) & pl.col(F.HOUSE_NUMBER).is_null())
        links.append(joined.select(pl.min_horizontal("i", "i_r").alias("i"),
                                   pl.max_horizontal("i", "i_r").alias("i_r"),
                                   pl.lit(0.5).alias("strength")))
    return pl.concat(links).unique(["i", "i_r"]).sort("i", "i_r")


def assign_households(people: pl.DataFrame) -> pl.DataFrame:
    """people: PERSON_COLUMNS, one row per individual -> entity_id, household_id."""
    people = people.sort(F.ENTITY_ID).with_row_index("i")
    links = (pl.concat([_address_links(people), _contact_links(people)])
             .sort(["strength", "i", "i_r"], descending=[True, False, False]))
    units = [{u} if u else set() for u in people.get_column(F.UNIT_NUMBER).to_list()]
    uf = UnionFind(people.height)
    for a, b, _ in links.iter_rows():
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb or len(units[ra] | units[rb]) > 1:
            continue  # one household never holds two different units of a building
        root = uf.union(ra, rb)
        units[root] = units[ra] | units[rb]
    keys = people.with_columns(pl.Series("root", uf.components())).with_columns(
        pl.coalesce(pl.col(F.ADDRESS_KEY), pl.concat_str(pl.lit("entity:"), F.ENTITY_ID))
        .min().over("root").alias("key"))
    taken: set[str] = set()
    distinct = sorted(keys.get_column("key").unique().to_list())
    ids = pl.DataFrame({"key": distinct, F.HOUSEHOLD_ID: [hashed_id("H", k, taken)
                                                          for k in distinct]})
    return keys.join(ids, on="key").select(F.ENTITY_ID, F.HOUSEHOLD_ID)


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
