"""Households that moved: a member whose records stop at the old address joins the
household at the new one.

When a family moves, the sources rarely hear from every member afterwards: the partner who
never called again is still on file at the old address. So an addressed household H joins
household G when H's current address X is an address G's members lived at before, nobody
of H is seen at X after G was first seen at its new address, H and G share a surname, phone
or email, and G is the only household that fits. New occupants of X are seen there after
the move, so they never qualify; earlier occupants share no name or contact with G.
"""

from collections.abc import Callable

import polars as pl

from resolver import frames as F
from resolver.cluster.union_find import UnionFind

HISTORY_COLUMNS = (F.ENTITY_ID, "place", "first_seen", "last_seen")


def place_key(house: str, street: str, unit: str, zip5: str) -> pl.Expr:
    """One address unit as the records spell it (house, street name, unit, ZIP)."""
    return pl.concat_str(pl.col(house), pl.col(street), pl.col(unit).fill_null(""),
                         pl.col(zip5), separator="|")


def address_history(records: pl.DataFrame) -> pl.DataFrame:
    """records with entity_id -> HISTORY_COLUMNS: when each individual was seen where."""
    return (records.select(F.ENTITY_ID, place_key(F.HOUSE_NUMBER, F.STREET_NAME,
                                                  F.UNIT_NUMBER, F.ZIP5).alias("place"),
                           F.UPDATED_AT)
            .drop_nulls()
            .group_by(F.ENTITY_ID, "place")
            .agg(pl.col(F.UPDATED_AT).min().alias("first_seen"),
                 pl.col(F.UPDATED_AT).max().alias("last_seen")))


def _moves(current: pl.DataFrame, history: pl.DataFrame,
           support: pl.DataFrame) -> pl.DataFrame:
    """(a, b): a group still at a household's former address, and that household."""
    here = current.select("root", "place").drop_nulls().unique()
    arrived = (history.join(here, on=["root", "place"], how="semi")
               .group_by("root").agg(pl.col("first_seen").min().alias("arrived")))
    former = (history.join(here, on=["root", "place"], how="anti")
              .select(pl.col("root").alias("home"), "place").unique())
    last_there = history.group_by("root", "place").agg(pl.col("last_seen").max())
    shared = support.select("root", "value").unique()
    candidates = (former.join(here, on="place").filter(pl.col("root") != pl.col("home"))
                  .join(arrived.rename({"root": "home"}), on="home")
                  .join(last_there, on=["root", "place"], how="left")
                  .filter(pl.col("last_seen") < pl.col("arrived"))
                  .select("root", "home").unique())
    backed = (candidates.join(shared, on="root")
              .join(shared.rename({"root": "home"}), on=["home", "value"])
              .select("root", "home").unique())
    return (backed.filter(pl.col("home").n_unique().over("root") == 1)
            .select(pl.col("root").alias("a"), pl.col("home").alias("b")).sort("a"))


def join_moved(people: pl.DataFrame, history: pl.DataFrame | None, support: pl.DataFrame,
               uf: UnionFind, join: Callable[[int, int], None]) -> None:
    """people: with row index i; support: (i, value) surnames and contacts."""
    if history is None or history.height == 0:
        return
    roots = pl.DataFrame({"i": pl.int_range(people.height, eager=True, dtype=pl.UInt32),
                          "root": pl.Series(uf.components(), dtype=pl.UInt32)})
    current = people.select("i", place_key(F.HOUSE_NUMBER, F.STREET_NAME, F.UNIT_NUMBER,
                                           F.ZIP5).alias("place")).join(roots, on="i")
    seen = (history.join(people.select(F.ENTITY_ID, "i"), on=F.ENTITY_ID)
            .join(roots, on="i").select("root", "place", "first_seen", "last_seen"))
    for a, b in _moves(current, seen, support.join(roots, on="i")).iter_rows():
        join(a, b)
