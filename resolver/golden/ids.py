"""Stable entity IDs.

Without a previous run an individual's ID is a hash of its smallest record key, so the
same input always gives the same IDs. With `--previous OUTDIR` IDs carry over from that
run's lineage:
- each previous ID goes to the new cluster holding most of its records (its heir);
- a cluster that is heir to one previous ID keeps it (unchanged, or grown by new records);
- a cluster that is heir to several keeps the one with most records and retires the rest
  (a merge);
- the other parts of a previous individual that was split get new IDs (a split: the
  larger part keeps the ID);
- clusters of only new records get new IDs;
- an ID none of whose records is left (all deleted from the sources) is retired.
Ties are broken by record key and ID, so the outcome is deterministic.
"""

import hashlib

import polars as pl

from resolver import frames as F

CHANGE_SCHEMA = {"change": pl.String, F.ENTITY_ID: pl.String,
                 "related_ids": pl.List(pl.String), "records": pl.UInt32}


def hashed_id(prefix: str, key: str, taken: set[str]) -> str:
    """A short ID from a key; salted on the rare clash with an ID already in use."""
    salt = 0
    while True:
        text = key if salt == 0 else f"{key}#{salt}"
        candidate = prefix + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        if candidate not in taken:
            taken.add(candidate)
            return candidate
        salt += 1


def hashed_ids(prefix: str, keys: list[str], taken: set[str]) -> list[str]:
    """[hashed_id(prefix, k, taken) for k in keys], in one pass when no ID clashes (the
    rule: a clash needs two keys whose hashes share 48 bits, or a key given twice), and
    key by key, salting, when one does."""
    ids = [prefix + hashlib.sha1(k.encode("utf-8")).hexdigest()[:12] for k in keys]
    if len(set(ids)) == len(ids) and taken.isdisjoint(ids):
        taken.update(ids)
        return ids
    return [hashed_id(prefix, k, taken) for k in keys]


def assign_entity_ids(members: pl.DataFrame, previous: pl.DataFrame | None,
                      ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """members: (cluster, record_key). previous: (record_key, entity_id) or None.
    -> (cluster -> entity_id, changes: merged / retired / split / new)."""
    clusters = (members.group_by("cluster").agg(pl.col(F.RECORD_KEY).min().alias("first_key"),
                                                pl.len().alias("size"))
                .sort("first_key"))
    sizes = dict(zip(clusters.get_column("cluster").to_list(),
                     clusters.get_column("size").to_list()))
    assigned, changes, split_parts = {}, [], {}
    taken: set[str] = set()
    if previous is not None and previous.height:
        taken |= set(previous.get_column(F.ENTITY_ID).unique().to_list())
        assigned, changes, split_parts = _carry_over(members, previous, clusters)
    new_ids, keys = [], []
    for cluster, first_key in zip(clusters.get_column("cluster").to_list(),
                                  clusters.get_column("first_key").to_list()):
        if cluster not in assigned:
            new_ids.append(cluster)
            keys.append(first_key)
    assigned.update(zip(new_ids, hashed_ids("E", keys, taken)))
    for old in sorted(split_parts):
        parts = sorted(assigned[c] for c in split_parts[old] if assigned[c] != old)
        changes.append(("split", old, parts, sum(sizes[c] for c in split_parts[old])))
    if previous is not None and previous.height:
        # an ID whose records are all gone (deleted from the sources) is retired too
        listed = set(assigned.values()) | {c[1] for c in changes if c[0] == "retired"}
        vanished = set(previous.get_column(F.ENTITY_ID).to_list()) - listed
        changes.extend(("retired", old, [], 0) for old in sorted(vanished))
    split_off = {c for parts in split_parts.values() for c in parts}
    changes.extend(("new", assigned[c], [], sizes[c]) for c in new_ids if c not in split_off)
    ids = pl.DataFrame({"cluster": list(assigned), F.ENTITY_ID: list(assigned.values())},
                       schema={"cluster": members.schema["cluster"], F.ENTITY_ID: pl.String})
    change_frame = pl.DataFrame(changes, schema=CHANGE_SCHEMA, orient="row").sort(
        "change", F.ENTITY_ID)
    return ids, change_frame


def _carry_over(members: pl.DataFrame, previous: pl.DataFrame, clusters: pl.DataFrame):
    """-> (cluster -> kept old ID, merge/retire changes, old ID -> clusters it split into)."""
    overlap = (members.join(previous.select(F.RECORD_KEY, pl.col(F.ENTITY_ID).alias("old")),
                            on=F.RECORD_KEY)
               .group_by("cluster", "old").agg(pl.len().alias("shared"))
               .join(clusters.select("cluster", "first_key", "size"), on="cluster"))
    old_sizes = previous.group_by(F.ENTITY_ID).len().rename({F.ENTITY_ID: "old",
                                                             "len": "old_size"})
    heirs = (overlap.sort(["old", "shared", "size", "first_key"],
                          descending=[False, True, True, False])
             .group_by("old", maintain_order=True).first()
             .join(old_sizes, on="old"))
    by_cluster = (heirs.sort(["cluster", "shared", "old_size", "old"],
                             descending=[False, True, True, False])
                  .group_by("cluster", maintain_order=True).agg("old", "size"))
    assigned, changes = {}, []
    for cluster, olds, sizes in by_cluster.iter_rows():
        keep, retired = olds[0], olds[1:]
        assigned[cluster] = keep
        if retired:
            changes.append(("merged", keep, retired, sizes[0]))
            changes.extend(("retired", old, [keep], 0) for old in retired)
    spread = (overlap.group_by("old").agg(pl.col("cluster").sort().alias("parts"))
              .filter(pl.col("parts").list.len() > 1))
    return assigned, changes, dict(spread.iter_rows())
