"""People without a street address join a household through the phones and emails they
share with it -- weighed by how specific each value is.

A contact value held by the members of one household says "this household"; a value held
by people of several households (jsmith@yahoo.com, an office switchboard) says little
about any of them. As in term-frequency adjustment (Winkler), the evidence a shared value
gives for household G is split across the g addressed households that hold it: 1/g.

How much a shared value of a kind says at all is measured on the data: among the phones
(emails) that two or more people with addresses share, the share held within one household.
Phones shared are mostly landlines of one home; emails shared are mostly name-made
addresses (john.smith@...) of unrelated people, and more so the larger the data. The
evidence of a value is that share over g, and a group of unplaced people joins the
household with the most evidence when it reaches ATTACH_EVIDENCE and no other household
ties with it. Contact links never join two households that have addresses: households
whose known addresses differ are different households.
"""

from collections.abc import Callable

import polars as pl

from resolver import frames as F
from resolver.cluster.union_find import UnionFind

# a value held by more people without an address than this is nobody's household
# contact (a shared inbox, a placeholder that survived junk filtering): it links no one
MAX_UNPLACED_HOLDERS = 6
# more likely this household's than not
ATTACH_EVIDENCE = 0.5
KINDS = {F.PHONE: "phone", F.EMAIL: "email"}


def contact_values(people: pl.DataFrame, contacts: pl.DataFrame | None) -> pl.DataFrame:
    """(i, kind, value): every phone and email known for each individual, once each.
    people: with row index i; contacts: optional (entity_id, kind, value), the values of
    all their records."""
    own = [people.select("i", pl.lit(kind).alias("kind"), pl.col(c).alias("value"))
           for c, kind in KINDS.items()]
    if contacts is not None:
        own.append(contacts.join(people.select(F.ENTITY_ID, "i"), on=F.ENTITY_ID)
                   .select("i", "kind", pl.col("value").cast(pl.String)))
    return pl.concat(own).drop_nulls().unique().sort("i", "kind", "value")


def _groups(uf: UnionFind, placed: pl.Series) -> pl.DataFrame:
    """(i, root, placed): each individual's current group and whether any member of
    that group has a street address."""
    return (pl.DataFrame({"i": pl.int_range(len(placed), eager=True, dtype=pl.UInt32),
                          "root": pl.Series(uf.components(), dtype=pl.UInt32),
                          "own": placed})
            .with_columns(pl.col("own").any().over("root").alias("placed")).drop("own"))


def _held(values: pl.DataFrame, uf: UnionFind, placed: pl.Series) -> pl.DataFrame:
    """values with each holder's group, and per value the number of addressed groups
    and of unplaced people holding it."""
    return (values.join(_groups(uf, placed), on="i")
            .with_columns(pl.col("root").filter("placed").n_unique().over("value")
                          .alias("households"),
                          (~pl.col("placed")).sum().over("value").alias("unplaced"))
            .filter(pl.col("unplaced") <= MAX_UNPLACED_HOLDERS))


def _unplaced_links(held: pl.DataFrame) -> pl.DataFrame:
    """(a, b): unplaced people sharing a value that no addressed household holds."""
    return (held.filter(~pl.col("placed") & (pl.col("households") == 0))
            .with_columns(pl.col("i").min().over("value").alias("a"))
            .filter(pl.col("i") != pl.col("a"))
            .select("a", pl.col("i").alias("b")).unique().sort("a", "b"))


def specificity(held: pl.DataFrame) -> pl.DataFrame:
    """(kind, specificity): of the values of a kind that two or more people with an
    address hold, the share held within one household (with one pseudo-count each way,
    so that a handful of values says little)."""
    shared = (held.filter("placed").group_by("kind", "value")
              .agg(pl.len().alias("holders"), pl.col("root").n_unique().alias("groups"))
              .filter(pl.col("holders") >= 2))
    return (pl.DataFrame({"kind": list(KINDS.values())})
            .join(shared.group_by("kind").agg(pl.len().alias("n"),
                                              (pl.col("groups") == 1).sum().alias("one")),
                  on="kind", how="left")
            .select("kind", ((pl.col("one").fill_null(0) + 1) / (pl.col("n").fill_null(0) + 2))
                    .alias("specificity")))


def _best_households(held: pl.DataFrame, zips: pl.DataFrame) -> pl.DataFrame:
    """(a, b): an unplaced group's root and a member of the addressed household that
    the group's contact values point to, unambiguously."""
    loose = held.filter(~pl.col("placed")).select("root", "value").unique()
    homes = (held.filter(pl.col("placed")).join(specificity(held), on="kind")
             .select(pl.col("root").alias("home"), "value",
                     (pl.col("specificity") / pl.col("households")).alias("w"))
             .unique(["home", "value"]))
    scores = (loose.join(homes, on="value").group_by("root", "home").agg(pl.col("w").sum())
              .join(zips, on="root", how="left")
              .join(zips.rename({"root": "home", "zips": "home_zips"}), on="home", how="left")
              .filter(pl.col("zips").is_null() | pl.col("home_zips").is_null()
                      | (pl.col("zips").list.set_intersection("home_zips").list.len() > 0)))
    ranked = scores.sort(["root", "w", "home"], descending=[False, True, False]).group_by(
        "root", maintain_order=True).agg(pl.col("home").first(), pl.col("w").first(),
                                         pl.col("w").get(1, null_on_oob=True).alias("second"))
    return (ranked.filter((pl.col("w") >= ATTACH_EVIDENCE)
                          & (pl.col("second").is_null() | (pl.col("second") < pl.col("w"))))
            .select(pl.col("root").alias("a"), pl.col("home").alias("b")).sort("a"))


def attach_by_contact(people: pl.DataFrame, values: pl.DataFrame, uf: UnionFind,
                      join: Callable[[int, int], None]) -> None:
    """Join unplaced people to each other, then each unplaced group to its best addressed
    household (join enforces the caller's own constraints)."""
    placed = people.get_column(F.HOUSE_NUMBER).is_not_null()
    for a, b in _unplaced_links(_held(values, uf, placed)).iter_rows():
        join(a, b)
    zips = (people.select("i", F.ZIP5).drop_nulls().join(_groups(uf, placed), on="i")
            .group_by("root").agg(pl.col(F.ZIP5).unique().alias("zips")))
    for a, b in _best_households(_held(values, uf, placed), zips).iter_rows():
        join(a, b)
