"""Scored pairs -> individuals, without chaining.

Plain connected components lets one wrong link merge two families. Here links are taken
strongest first (Kruskal's order over match weights, as in constrained agglomerative
clustering): two clusters are joined only when no record of one conflicts with a record
of the other on a strong identifier (dob, Jr/Sr suffix, extra ids) and no steward
cannot-link separates them. Steward must-links are joined first, unguarded. Clusters are
flagged for review when larger than `max_cluster_size`, when a guard refused to join them,
or when sparsely linked (4+ records with under 30% of their pairs linked: a chain).
"""

from dataclasses import dataclass, field

import polars as pl

from resolver import frames as F
from resolver.cluster.conflicts import checker
from resolver.cluster.union_find import UnionFind
from resolver.normalize.names import GENERATIONAL

FLAG_OVERSIZED = "oversized"
FLAG_GUARDED = "guard_refused_merge"
FLAG_LOW_COHESION = "low_cohesion"
MIN_COHESION = 0.3  # share of a cluster's record pairs linked at the match threshold
MIN_COHESION_SIZE = 4
LENIENT = frozenset({"first_name"})  # identifiers where every pair must conflict


@dataclass
class _Cluster:
    values: dict[str, set[str]]  # strong identifier -> values in the cluster
    cannot: set[int] = field(default_factory=set)  # uids this cluster must not contain
    members: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Clustering:
    cluster_of: list[int]  # uid -> root uid of its cluster
    refused: pl.DataFrame  # (uid_l, uid_r, reason): links a guard refused
    flags: dict[int, str]  # root uid -> flag


def _generation_unknown(cluster: _Cluster) -> bool:
    return not cluster.values.get("suffix") and not cluster.values.get("dob")


def _generational(cluster: _Cluster) -> bool:
    return any(t in GENERATIONAL for v in cluster.values.get("suffix", ()) for t in v.split())


def _conflict(a: _Cluster, b: _Cluster, checks: dict) -> str | None:
    if a.cannot & b.members or b.cannot & a.members:
        return "steward_no_match"
    if "suffix" in checks and "dob" in checks and (
            (_generational(a) and _generation_unknown(b))
            or (_generational(b) and _generation_unknown(a))):
        # records with neither suffix nor birth date cannot say whether they are the Jr
        # or the Sr: they go to review instead of joining either automatically
        return "ambiguous_generation"
    for name, conflicts in checks.items():
        pairs = [(x, y) for x in a.values[name] for y in b.values[name]]
        if not pairs:
            continue
        # one conflicting pair is enough for dates, suffixes and ids; given names vary
        # (typos of one name need not be close to each other), so there every pair must
        # conflict: {emily} and {vincent} do, {susan, susie} and {ssuan} do not
        clash = all if name in LENIENT else any
        if clash(conflicts(x, y) for x, y in pairs):
            return f"conflicting_{name}"
    return None


def _merge(into: _Cluster, other: _Cluster) -> None:
    for name, values in other.values.items():
        into.values[name] |= values
    into.cannot |= other.cannot
    into.members |= other.members


def cluster_individuals(n_records: int, links: pl.DataFrame, strong: dict[str, list],
                        decisions: pl.DataFrame, max_cluster_size: int) -> Clustering:
    """links: (uid_l, uid_r, match_weight) at or above the match threshold.
    strong: identifier -> per-uid value or None. decisions: (uid_l, uid_r, decision)."""
    checks = {name: checker(name) for name in strong}
    clusters = [_Cluster({name: ({v} if (v := strong[name][u]) else set())
                          for name in strong}, members={u}) for u in range(n_records)]
    for a, b in decisions.filter(pl.col("decision") == "no_match").select(
            F.UID_L, F.UID_R).iter_rows():
        clusters[a].cannot.add(b)
        clusters[b].cannot.add(a)
    uf = UnionFind(n_records)

    def join(a: int, b: int) -> None:
        ra, rb = uf.find(a), uf.find(b)
        root = uf.union(ra, rb)
        _merge(clusters[root], clusters[rb if root == ra else ra])

    for a, b in decisions.filter(pl.col("decision") == "match").select(
            F.UID_L, F.UID_R).iter_rows():
        if uf.find(a) != uf.find(b):
            join(a, b)
    refused, flags = [], {}
    ordered = links.sort([F.MATCH_WEIGHT, F.UID_L, F.UID_R], descending=[True, False, False])
    for a, b in ordered.select(F.UID_L, F.UID_R).iter_rows():
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        reason = _conflict(clusters[ra], clusters[rb], checks)
        if reason:
            refused.append((a, b, reason))
            continue
        join(ra, rb)
    roots = uf.components()
    for a, b, _ in refused:
        flags[roots[a]] = flags[roots[b]] = FLAG_GUARDED
    linked: dict[int, int] = {}
    for a, b in links.select(F.UID_L, F.UID_R).iter_rows():
        if roots[a] == roots[b]:
            linked[roots[a]] = linked.get(roots[a], 0) + 1
    for root in set(roots):
        size = uf.size[root]
        if size > max_cluster_size:
            flags[root] = FLAG_OVERSIZED
        elif size >= MIN_COHESION_SIZE and linked.get(root, 0) < MIN_COHESION * size * (
                size - 1) / 2:
            flags[root] = FLAG_LOW_COHESION
    return Clustering(roots, pl.DataFrame(refused, schema={F.UID_L: pl.UInt32,
                                                            F.UID_R: pl.UInt32,
                                                            "reason": pl.String},
                                          orient="row"), flags)
