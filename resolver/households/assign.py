"""Individuals -> households: the people who live at one address unit.

An individual's household is decided by their current (surviving) address: a house, or
one apartment (other units of the building are other households), so spouses with
different surnames are one household and a person who moved belongs to the household at
the new address. Records are messy, so two individuals' addresses count as one unit when
they share house number and ZIP (or city, when no ZIP disagrees) and their street names
are close (Jaro-Winkler >= 0.85), and their units agree; when one lacks the unit, a shared
surname, phone or email must support the link. Links are taken strongest first and a
household never holds two different units (neighbours stay apart). Individuals without
an address then join by the contacts they share, weighed by how specific each value is
(contacts.py), or by a surname that only one household in their ZIP carries.
Two households with addresses never join through anything but their addresses: the same
unit, or a former address of a household that moved and took the member along
(moves.py). Households link individuals; they never merge them.

The work is linear in the size of a household: links are made between distinct address
spellings (variants), and the individuals at one variant are joined to one
representative, never pair by pair.
"""

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from resolver import frames as F
from resolver.households.contacts import attach_by_contact, contact_values
from resolver.households.moves import join_moved
from resolver.cluster.union_find import UnionFind
from resolver.golden.ids import hashed_ids

STREET_SIMILARITY = 0.85
# more members than this and a household is flagged for review: an apartment building
# whose units the sources never give, or a shared address (a care home, a PO box)
MAX_HOUSEHOLD_MEMBERS = 12
# a surname links a person known only by ZIP to the one household there carrying it, or
# a person without a unit to a unit of the building, when fewer households than this
# would carry it by chance
MAX_CHANCE_SURNAME_HOMES = 0.5
PERSON_COLUMNS = (F.ENTITY_ID, F.HOUSE_NUMBER, F.STREET_NAME, F.UNIT_NUMBER, F.ZIP5, F.CITY,
                  F.ADDRESS_KEY, F.LAST_NAME, F.PHONE, F.EMAIL)
ADDRESS = (F.HOUSE_NUMBER, F.STREET_NAME, F.UNIT_NUMBER, F.ZIP5, F.CITY)
EDGE_SCHEMA = {"a": pl.UInt32, "b": pl.UInt32, "strength": pl.Float64}


def _variants(people: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """-> (distinct address spellings v with has_units and the number of units known at
    the house number and ZIP, (i, v) for each placed person)."""
    placed = people.filter(pl.col(F.HOUSE_NUMBER).is_not_null()
                           & pl.col(F.STREET_NAME).is_not_null())
    variants = (placed.select(ADDRESS).unique().sort(ADDRESS, nulls_last=True)
                .with_row_index("v")
                .with_columns(  # someone at this house number and ZIP/city has a unit
                    (pl.col(F.UNIT_NUMBER).is_not_null().any().over(F.HOUSE_NUMBER, F.ZIP5)
                     | pl.col(F.UNIT_NUMBER).is_not_null().any().over(F.HOUSE_NUMBER, F.CITY))
                    .alias("has_units"),
                    pl.col(F.UNIT_NUMBER).drop_nulls().n_unique().over(F.HOUSE_NUMBER, F.ZIP5)
                    .alias("units")))
    members = placed.join(variants, on=list(ADDRESS), nulls_equal=True).select("i", "v")
    return variants, members


def _variant_pairs(variants: pl.DataFrame) -> pl.DataFrame:
    """(v, v_r, strength, needs_support) for address spellings that may be one unit."""
    pairs = []
    for where in (F.ZIP5, F.CITY, F.STREET_NAME):  # the last when the place is unknown
        keyed = variants.filter(pl.col(where).is_not_null())
        joined = keyed.join(keyed, on=[F.HOUSE_NUMBER, where], suffix="_r").filter(
            pl.col("v") <= pl.col("v_r"))
        if where == F.STREET_NAME:  # joined on it, so both sides hold the same name
            joined = joined.with_columns(pl.col(F.STREET_NAME).alias(F.STREET_NAME + "_r"))
            joined = joined.filter((pl.col(F.ZIP5).is_null() & pl.col(F.CITY).is_null())
                                   | (pl.col(F.ZIP5 + "_r").is_null()
                                      & pl.col(F.CITY + "_r").is_null()))
        if where == F.CITY:  # a known ZIP that differs is another address in the city
            joined = joined.filter(pl.col(F.ZIP5).eq(pl.col(F.ZIP5 + "_r")).fill_null(True))
        pairs.append(joined.select(
            "v", "v_r", "has_units", "units",
            pl.lit(where == F.STREET_NAME).alias("place_unknown"),
            F.STREET_NAME, F.STREET_NAME + "_r", F.UNIT_NUMBER, F.UNIT_NUMBER + "_r"))
    pairs = pl.concat(pairs).unique(["v", "v_r"], keep="first").sort("v", "v_r")
    similarity = process.cpdist(pairs.get_column(F.STREET_NAME).to_list(),
                                pairs.get_column(F.STREET_NAME + "_r").to_list(),
                                scorer=JaroWinkler.normalized_similarity, workers=-1)
    unit, unit_r = pl.col(F.UNIT_NUMBER), pl.col(F.UNIT_NUMBER + "_r")
    same_unit = unit.eq(unit_r).fill_null(False)
    # no unit on either side is one house -- unless the building has units, where it
    # only says the unit is unknown
    units_equal = same_unit | (unit.is_null() & unit_r.is_null() & ~pl.col("has_units"))
    one_unit_missing = (unit.is_null() | unit_r.is_null()) & ~units_equal
    known_place = ~pl.col("place_unknown")
    strength = (pl.when(units_equal & known_place).then(2.0 + pl.col("s"))
                .when(units_equal).then(1.5 + pl.col("s"))
                .when(one_unit_missing).then(1.0 + pl.col("s")))
    needs_support = ~((units_equal & known_place) | (same_unit & ~known_place))
    return (pairs.with_columns(pl.Series("s", similarity, pl.Float64))
            .filter(pl.col("s") >= STREET_SIMILARITY)
            .select("v", "v_r", "units", strength.alias("strength"),
                    needs_support.alias("needs_support"))
            .drop_nulls("strength"))


def _both_sides(pairs: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """pairs of variants -> one row per (pair, member of either side, side)."""
    return pl.concat([pairs.join(members, left_on=side, right_on="v").with_columns(
        pl.lit(k, pl.UInt8).alias("side")) for k, side in enumerate(("v", "v_r"))])


def _address_links(people: pl.DataFrame, support: pl.DataFrame) -> pl.DataFrame:
    """(a, b, strength): unions that put individuals at one address unit together.
    support: (i, value, chance) surnames and contact values that back a link whose unit
    is unknown on one side; a surname backs it when the surname's frequency (chance)
    times the units known in the building stays under MAX_CHANCE_SURNAME_HOMES, as a
    common surname in a large building is shared by chance."""
    variants, members = _variants(people)
    pairs = _variant_pairs(variants)
    if pairs.height == 0:
        return pl.DataFrame(schema=EDGE_SCHEMA)
    sides = _both_sides(pairs.select("v", "v_r", "units", "strength", "needs_support"),
                        members)
    certain = (sides.filter(~pl.col("needs_support"))
               .with_columns(pl.col("i").min().over("v", "v_r").alias("a"))
               .select("a", pl.col("i").alias("b"), "strength"))
    supported = (sides.filter("needs_support").join(support, on="i")
                 .filter(pl.col("chance") * pl.col("units") <= MAX_CHANCE_SURNAME_HOMES)
                 .with_columns(pl.col("i").min().over("v", "v_r", "value").alias("a"),
                               pl.col("side").n_unique().over("v", "v_r", "value")
                               .alias("sides"))
                 .filter(pl.col("sides") == 2)
                 .select("a", pl.col("i").alias("b"), "strength"))
    return (pl.concat([certain, supported]).filter(pl.col("a") != pl.col("b"))
            .group_by("a", "b").agg(pl.col("strength").max()).cast(EDGE_SCHEMA))


def _zip_only_links(people: pl.DataFrame, uf: UnionFind) -> list[tuple[int, int]]:
    """A person known only by ZIP joins the household in that ZIP that carries their
    surname -- when exactly one does, and when the surname is rare enough that one
    household of the ZIP carrying it by chance is unlikely (frequency of the surname
    times the addressed households in the ZIP: "smith" in a big ZIP never guesses)."""
    roots = pl.Series("root", uf.components(), pl.UInt32)
    frame = people.with_columns(roots)
    placed = frame.filter(pl.col(F.HOUSE_NUMBER).is_not_null()).select(
        F.ZIP5, F.LAST_NAME, "i", "root")
    homes = placed.group_by(F.ZIP5).agg(pl.col("root").n_unique().alias("homes"))
    frequency = (frame.select(F.LAST_NAME).drop_nulls().group_by(F.LAST_NAME).len()
                 .select(F.LAST_NAME, (pl.col("len") / people.height).alias("frequency")))
    loose = (frame.filter(pl.col(F.HOUSE_NUMBER).is_null() & pl.col(F.ZIP5).is_not_null()
                          & pl.col(F.LAST_NAME).is_not_null()).select("i", F.ZIP5, F.LAST_NAME)
             .join(homes, on=F.ZIP5).join(frequency, on=F.LAST_NAME)
             .filter(pl.col("homes") * pl.col("frequency") <= MAX_CHANCE_SURNAME_HOMES))
    matches = (loose.join(placed, on=[F.ZIP5, F.LAST_NAME], suffix="_h")
               .group_by("i").agg(pl.col("root").n_unique().alias("households"),
                                  pl.col("i_h").min().alias("to"))
               .filter(pl.col("households") == 1).sort("i"))
    return list(matches.select("i", "to").iter_rows())


def _household_roots(people: pl.DataFrame, contacts: pl.DataFrame | None,
                     history: pl.DataFrame | None) -> list[int]:
    """people with row index i -> the household root of each individual."""
    values = contact_values(people, contacts)
    surnames = people.select("i", pl.concat_str(pl.lit("name:"), F.LAST_NAME).alias("value"),
                             (pl.len().over(F.LAST_NAME) / people.height).alias("chance"))
    support = pl.concat([values.select("i", "value", pl.lit(0.0).alias("chance")),
                         surnames.drop_nulls()])
    links = (_address_links(people, support)
             .sort(["strength", "a", "b"], descending=[True, False, False]))
    # root -> the units its household holds, for the households that hold one (a set
    # for every individual cost 0.5 s at 615k; most have no unit)
    with_unit = people.select("i", F.UNIT_NUMBER).filter(pl.col(F.UNIT_NUMBER).is_not_null()
                                                         & (pl.col(F.UNIT_NUMBER) != ""))
    units = {i: frozenset((u,)) for i, u in with_unit.iter_rows()}
    none = frozenset()
    placed = people.get_column(F.HOUSE_NUMBER).is_not_null().to_list()
    uf = UnionFind(people.height)
    addressed = [False]  # once set: two groups with addresses never join

    def join(a: int, b: int, moved: bool = False) -> None:
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            return
        held = units.get(ra, none) | units.get(rb, none)
        if not moved and len(held) > 1:
            return  # one household never holds two different units of a building
        if addressed[0] and placed[ra] and placed[rb]:
            return
        root = uf.union(ra, rb)
        # a member who moved along leaves the old unit behind: the household is at b's
        held = units.get(rb, none) if moved else held
        units.pop(ra, None), units.pop(rb, None)
        if held:
            units[root] = held
        placed[root] = placed[ra] or placed[rb]

    for a, b, _ in links.iter_rows():
        join(a, b)
    join_moved(people, history, support, uf, lambda a, b: join(a, b, moved=True))
    addressed[0] = True
    attach_by_contact(people, values, uf, join)
    for a, b in _zip_only_links(people, uf):
        join(a, b)
    return uf.components()


def assign_households(people: pl.DataFrame, contacts: pl.DataFrame | None = None,
                      history: pl.DataFrame | None = None) -> pl.DataFrame:
    """people: PERSON_COLUMNS, one row per individual; optionally contacts, every
    (entity_id, value) phone and email of their records, and history, where each was seen
    when (moves.HISTORY_COLUMNS) -> entity_id, household_id."""
    people = people.sort(F.ENTITY_ID).with_row_index("i")
    roots = _household_roots(people, contacts, history)
    # the key an ID is hashed from: the household's address, or when several households
    # share one (units unknown) the address and the household's first member
    keys = people.with_columns(pl.Series("root", roots)).with_columns(
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
    ids = pl.DataFrame({"key": distinct, F.HOUSEHOLD_ID: hashed_ids("H", distinct, taken)},
                       schema={"key": pl.String, F.HOUSEHOLD_ID: pl.String})
    return keys.join(ids, on="key").select(F.ENTITY_ID, F.HOUSEHOLD_ID)


def household_names(grouped: pl.DataFrame) -> pl.DataFrame:
    """(household_id, surnames) -> (household_id, name) for the households with a
    surname: "The Smith household", or "The Smith & Jones household" for the two most
    common (the rest are "Household"). Ties in count go to the name first in code point
    order."""
    counted = (grouped.select(F.HOUSEHOLD_ID, "surnames").explode("surnames")
               .filter(pl.col("surnames").is_not_null() & (pl.col("surnames") != ""))
               .group_by(F.HOUSEHOLD_ID, "surnames").len())
    return (counted.sort([F.HOUSEHOLD_ID, "len", "surnames"], descending=[False, True, False])
            .group_by(F.HOUSEHOLD_ID, maintain_order=True).head(2)
            .group_by(F.HOUSEHOLD_ID, maintain_order=True)
            .agg(pl.format("The {} household", pl.col("surnames").str.join(" & "))
                 .first().alias("name")))


def household_table(golden: pl.DataFrame) -> pl.DataFrame:
    """golden records with household_id -> one row per household, flagged for review
    when it has more members than a household is likely to."""
    grouped = (golden.select(F.ENTITY_ID, F.HOUSEHOLD_ID, "first_name", "last_name", "address")
               .sort(F.ENTITY_ID)
               .group_by(F.HOUSEHOLD_ID)
               .agg(pl.col("last_name").alias("surnames"),
                    pl.col("address").drop_nulls().mode().sort().first().alias("address"),
                    pl.col(F.ENTITY_ID).alias("members"),
                    pl.concat_str([pl.col("first_name"), pl.col("last_name")], separator=" ",
                                  ignore_nulls=True).alias("member_names"),
                    pl.len().alias("member_count")))
    flag = (pl.when(pl.col("member_count") > MAX_HOUSEHOLD_MEMBERS)
            .then(pl.format("oversized: {} members", "member_count")).otherwise(None))
    return (grouped.join(household_names(grouped), on=F.HOUSEHOLD_ID, how="left")
            .with_columns(pl.col("name").fill_null("Household"),
                          flag.cast(pl.String).alias(F.HOUSEHOLD_FLAG)).drop("surnames")
            .select(F.HOUSEHOLD_ID, "name", "address", "member_count", "members",
                    "member_names", F.HOUSEHOLD_FLAG)
            .sort(F.HOUSEHOLD_ID))
