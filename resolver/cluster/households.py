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
    placed = placed.with_columns(  # someone at this house number and ZIP/city has a unit
        (pl.col(F.UNIT_NUMBER).is_not_null().any().over(F.HOUSE_NUMBER, F.ZIP5)
         | pl.col(F.UNIT_NUMBER).is_not_null().any().over(F.HOUSE_NUMBER, F.CITY))
        .alias("has_units"))
    pairs = []
    for where in (F.ZIP5, F.CITY, F.STREET_NAME):  # the last when the place is unknown
        keyed = placed.filter(pl.col(where).is_not_null())
        joined = keyed.join(keyed, on=[F.HOUSE_NUMBER, where], suffix="_r").filter(
            pl.col("i") < pl.col("i_r"))
        if where == F.STREET_NAME:  # joined on it, so both sides hold the same name
            joined = joined.with_columns(pl.col(F.STREET_NAME).alias(F.STREET_NAME + "_r"))
            joined = joined.filter((pl.col(F.ZIP5).is_null() & pl.col(F.CITY).is_null())
                                   | (pl.col(F.ZIP5 + "_r").is_null()
                                      & pl.col(F.CITY + "_r").is_null()))
        pairs.append(joined.select("i", "i_r", "has_units",
                                   pl.lit(where == F.STREET_NAME).alias("place_unknown"),
                                   *(pl.col(c) for c in (
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
    # no unit on either side is one house -- unless the building has units, where it
    # only says the unit is unknown
    units_equal = (pl.col(F.UNIT_NUMBER).eq(pl.col(F.UNIT_NUMBER + "_r")).fill_null(False)
                   | (pl.col(F.UNIT_NUMBER).is_null() & pl.col(F.UNIT_NUMBER + "_r").is_null()
                      & ~pl.col("has_units")))
    one_unit_missing = (pl.col(F.UNIT_NUMBER).is_null() | pl.col(F.UNIT_NUMBER + "_r").is_null()
                        ) & ~units_equal
    support = same(F.LAST_NAME) | same(F.PHONE) | same(F.EMAIL)
    same_unit = pl.col(F.UNIT_NUMBER).eq(pl.col(F.UNIT_NUMBER + "_r")).fill_null(False)
    strength = (pl.when(units_equal & ~pl.col("place_unknown")).then(2.0 + pl.col("s"))
                .when(units_equal & (support | same_unit)).then(1.5 + pl.col("s"))
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


def _zip_only_links(people: pl.DataFrame, uf: UnionFind) -> list[tuple[int, int]]:
    """A person known only by ZIP joins the household in that ZIP that carries their
    surname -- when exactly one does (a common surname never guesses)."""
    roots = pl.Series("root", [uf.find(i) for i in range(people.height)], pl.UInt32)
    frame = people.with_columns(roots)
    placed = frame.filter(pl.col(F.HOUSE_NUMBER).is_not_null()).select(
        F.ZIP5, F.LAST_NAME, "i", "root")
    loose = frame.filter(pl.col(F.HOUSE_NUMBER).is_null() & pl.col(F.ZIP5).is_not_null()
                         & pl.col(F.LAST_NAME).is_not_null()).select("i", F.ZIP5, F.LAST_NAME)
    matches = (loose.join(placed, on=[F.ZIP5, F.LAST_NAME], suffix="_h")
               .group_by("i").agg(pl.col("root").n_unique().alias("households"),
                                  pl.col("i_h").min().alias("to"))
               .filter(pl.col("households") == 1).sort("i"))
    return list(matches.select("i", "to").iter_rows())


def assign_households(people: pl.DataFrame) -> pl.DataFrame:
    """people: PERSON_COLUMNS, one row per individual -> entity_id, household_id."""
    people = people.sort(F.ENTITY_ID).with_row_index("i")
    links = (pl.concat([_address_links(people), _contact_links(people)])
             .sort(["strength", "i", "i_r"], descending=[True, False, False]))
    units = [{u} if u else set() for u in people.get_column(F.UNIT_NUMBER).to_list()]
    uf = UnionFind(people.height)

    def join(a: int, b: int) -> None:
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb or len(units[ra] | units[rb]) > 1:
            return  # one household never holds two different units of a building
        root = uf.union(ra, rb)
        units[root] = units[ra] | units[rb]

    for a, b, _ in links.iter_rows():
        join(a, b)
    for a, b in _zip_only_links(people, uf):
        join(a, b)
    # the key an ID is hashed from: the household's address, or when several households
    # share one (units unknown) the address and the household's first member
    keys = people.with_columns(pl.Series("root", uf.components())).with_columns(
        pl.col(F.ADDRESS_KEY).min().over("root").alias("address"),
        pl.col(F.ENTITY_ID).min().over("root").alias("first_member"))
    keys = keys.with_columns(
        pl.when(pl.col("address").is_null())
        .then(pl.concat_str(pl.lit("entity:"), "first_member"))
        .when(pl.col("root").n_unique().over("address") > 1)
        .then(pl.concat_str("address", pl.lit("|entity:"), "first_member"))
        .otherwise(pl.col("address")).alias("key"))
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
