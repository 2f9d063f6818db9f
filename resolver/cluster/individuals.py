"""Scored pairs -> individuals, without chaining.

Plain connected components lets one wrong link merge two families. Here links are taken
strongest first (Kruskal's order over match weights, as in constrained agglomerative
clustering), and two clusters are joined only when

- they do not conflict on a strong identifier (what counts as a conflict comes from the
  model, see conflicts.py): for dates and extra ids, the clusters' most common values
  conflict; a Jr never joins a Sr; for given names, every name of one conflicts with
  every name of the other. And no steward cannot-link separates them.
- the join has support (average linkage, as dedupe clusters; cluster/support.py): the
  mean match probability over all scored pairs between the two clusters is at least
  `min_support`, and two clusters of two or more records each are joined by at least
  two links. One strong link between two groups whose other cross pairs score as
  different people is a chain, not a person.

Steward must-links are joined first, unguarded. Clusters are flagged for review when
larger than `max_cluster_size`, when a guard refused to join them, or when sparsely linked
(4+ records with under 30% of their pairs linked: a chain).

Only records that some link or must-link touches can join anything, and only scored pairs
inside one connected component of those links can be evidence between two clusters. So
the clustering runs on those records alone, renumbered 0..m-1, with the scored pairs of
their components: at a million records, half of them stand alone and 90% of the scored
pairs join records that no link connects, and neither costs anything here.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.cluster.conflicts import checker
from resolver.cluster.support import Support
from resolver.cluster.union_find import UnionFind
from resolver.gc_pause import paused_gc
from resolver.normalize.names import GENERATIONAL
from resolver.normalize.text import WORKERS_ENV
from resolver.normalize.text import _pool as worker_pool

FLAG_OVERSIZED = "oversized"
FLAG_GUARDED = "guard_refused_merge"
FLAG_LOW_COHESION = "low_cohesion"
MIN_COHESION = 0.3  # share of a cluster's record pairs linked at the match threshold
MIN_COHESION_SIZE = 4
LENIENT = frozenset({"first_name"})  # identifiers where every pair must conflict
EVERY_VALUE = frozenset({"suffix"})  # identifiers where any one pair conflicting is enough


@dataclass(slots=True)
class _Cluster:
    values: dict[str, dict[str, int]]  # strong identifier -> value -> records holding it
    cannot: set[int] = field(default_factory=set)  # uids this cluster must not contain
    members: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Clustering:
    cluster_of: np.ndarray  # uid -> root uid of its cluster
    refused: pl.DataFrame  # (uid_l, uid_r, reason): links a guard refused
    flags: dict[int, str]  # root uid -> flag

    def flag_frame(self) -> pl.DataFrame:
        """(cluster, cluster_flag): one row per flagged cluster."""
        return pl.DataFrame({"cluster": list(self.flags),
                             F.CLUSTER_FLAG: list(self.flags.values())},
                            schema={"cluster": pl.Int64, F.CLUSTER_FLAG: pl.String})


def _generation_unknown(cluster: _Cluster) -> bool:
    return not cluster.values.get("suffix") and not cluster.values.get("dob")


def _generational(cluster: _Cluster) -> bool:
    return any(t in GENERATIONAL for v in cluster.values.get("suffix", ()) for t in v.split())


def _conflict(a: _Cluster, b: _Cluster, checks: dict,
              link_values: Callable[[str], tuple]) -> str | None:
    """link_values(identifier) -> the two linked records' values."""
    if a.cannot & b.members or b.cannot & a.members:
        return "steward_no_match"
    if "suffix" in checks and "dob" in checks and (
            (_generational(a) and _generation_unknown(b))
            or (_generational(b) and _generation_unknown(a))):
        # records with neither suffix nor birth date cannot say whether they are the Jr
        # or the Sr: they go to review instead of joining either automatically
        return "ambiguous_generation"
    for name, conflicts in checks.items():
        pairs = [(x, y) for x in _compared(a, name) for y in _compared(b, name)]
        if not pairs:
            continue
        # given names vary (typos of one name need not be close to each other), so there
        # every pair must conflict: {emily} and {vincent} do, {susan, susie} and {ssuan}
        # do not; so must every pair of the clusters' most common values (a tie keeps
        # them all)
        clash = any if name in EVERY_VALUE else all
        if clash(conflicts(x, y) for x, y in pairs) and not _weighed(
                a, b, name, conflicts, link_values(name)):
            return f"conflicting_{name}"
    return None


def _weighed(a: _Cluster, b: _Cluster, name: str, conflicts, values: tuple) -> bool:
    """Whether a conflict on a date or an id is one the model has already weighed: two
    single records whose own values conflict, linked all the same. Refusing would
    overrule the evidence with the same evidence; the guard is for what a link did not
    see (other members, a record without the value, a chain of small differences).
    Suffixes and given names are never waived: Jr/Sr and twins look alike on all else."""
    x, y = values
    return (len(a.members) == len(b.members) == 1 and name not in EVERY_VALUE | LENIENT
            and bool(x and y) and conflicts(x, y))


def _compared(cluster: _Cluster, name: str):
    """The values of a cluster that speak for it on an identifier. For dates and ids the
    most common ones: one person's records carry a wrong date now and then (a typo, a
    year off) and a cluster that holds one must not refuse every later record for it;
    two clusters whose usual values conflict are two people. Suffixes: every value (a
    Jr never joins a Sr); given names: every value, all must conflict (LENIENT)."""
    counted = cluster.values[name]
    if name in EVERY_VALUE or name in LENIENT or not counted:
        return counted.keys()
    top = max(counted.values())
    return [v for v, n in counted.items() if n == top]


def _merge(into: _Cluster, other: _Cluster) -> None:
    for name, values in other.values.items():
        mine = into.values[name]
        for value, n in values.items():
            mine[value] = mine.get(value, 0) + n
    into.cannot |= other.cannot
    into.members |= other.members


def cluster_individuals(n_records: int, links: pl.DataFrame, strong: dict[str, list],
                        decisions: pl.DataFrame, max_cluster_size: int,
                        checks: dict | None = None, scored: pl.DataFrame | None = None,
                        min_support: float = 0.0) -> Clustering:
    """links: (uid_l, uid_r, match_weight) at or above the match threshold.
    strong: identifier -> per-uid value or None. decisions: (uid_l, uid_r, decision).
    checks: identifier -> conflicts(a, b) (conflicts.model_checkers); the fixed rules
    when None. scored: (uid_l, uid_r, match_probability) of every scored pair, for the
    support of a join; min_support: the mean probability a join needs."""
    checks = checks if checks is not None else {name: checker(name) for name in strong}
    must = decisions.filter(pl.col("decision") == "match").select(F.UID_L, F.UID_R)
    ends = [frame.get_column(c).to_numpy().astype(np.int64)
            for frame in (links, must) for c in (F.UID_L, F.UID_R)]
    linked = np.zeros(n_records, dtype=bool)  # a mask, not np.unique: no sort of the ends
    for end in ends:
        linked[end] = True
    touched = np.flatnonzero(linked)
    local = np.full(n_records, -1, dtype=np.int64)
    local[touched] = np.arange(len(touched))
    component = np.full(n_records, -1, dtype=np.int64)
    component[touched] = _components(len(touched), [local[e] for e in ends])
    lone = _lone_pairs(links, decisions, component)
    cluster_of = np.arange(n_records, dtype=np.int64)
    refused_lone, flags = [], {}
    for a, b in zip(*(lone.get_column(c).to_list() for c in (F.UID_L, F.UID_R))):
        reason = _pair_conflict(strong, checks, a, b)
        if reason:
            refused_lone.append((a, b, reason))
            flags[a] = flags[b] = FLAG_GUARDED
        else:
            cluster_of[b] = a  # two records alike in size: the first one's root stays
    for c in (F.UID_L, F.UID_R):  # the records of components of three or more
        linked[lone.get_column(c).to_numpy()] = False
    rest = np.flatnonzero(linked)
    parts = _cluster_parts(_component_groups(rest, component), component, links, strong,
                           decisions, max_cluster_size, checks, scored, min_support,
                           n_records)
    refused = [pl.DataFrame(refused_lone, schema=REFUSED_SCHEMA, orient="row")]
    for part, (roots, part_refused, part_flags) in parts:
        cluster_of[part] = roots
        refused.append(part_refused)
        flags |= part_flags
    return Clustering(cluster_of, pl.concat(refused).sort(F.UID_L, F.UID_R), flags)


# records of components of three or more records past which clustering is split over the
# worker processes (below it, starting them costs more than it saves)
PARALLEL_MIN_RECORDS = 20_000


def _component_groups(rest: np.ndarray, component: np.ndarray) -> list[np.ndarray]:
    """rest (sorted uids) split into groups of whole components, one per worker, of about
    equal records: components are independent, so the groups can be clustered apart."""
    if len(rest) < PARALLEL_MIN_RECORDS and not os.environ.get(WORKERS_ENV):
        return [rest]
    pool = worker_pool()
    workers = pool._max_workers if pool is not None else 1
    if workers < 2:
        return [rest]
    labels = component[rest]
    order = np.argsort(labels, kind="stable")
    # cut the component-ordered records into equal runs, each cut moved to a component end
    cuts = [int(np.searchsorted(labels[order], labels[order][min(len(rest) * k // workers,
                                                                   len(rest) - 1)]))
            for k in range(1, workers)]
    bounds = [0, *sorted(set(c for c in cuts if 0 < c < len(rest))), len(rest)]
    return [np.sort(rest[order[a:b]]) for a, b in zip(bounds, bounds[1:]) if b > a]


def _cluster_parts(groups: list[np.ndarray], component: np.ndarray, links: pl.DataFrame,
                   strong: dict[str, list], decisions: pl.DataFrame, max_cluster_size: int,
                   checks: dict, scored: pl.DataFrame | None, min_support: float,
                   n_records: int) -> list:
    """-> (group, (each record's root uid, refused links, flags by root uid)) per group:
    the first clustered here, the others in worker processes, each sent only its own
    records' values and pairs."""
    settings = (max_cluster_size, checks, min_support)
    pool = worker_pool() if len(groups) > 1 else None
    # each worker starts as soon as its own inputs are ready, before the next's are made
    futures = [pool.submit(_cluster_linked_args, *_part_inputs(
        g, component, links, strong, decisions, scored, n_records), *settings)
        for g in groups[1:]]
    here = _part_inputs(groups[0], component, links, strong, decisions, scored, n_records)
    results = [_cluster_linked_args(*here, *settings), *(f.result() for f in futures)]
    return [(g, _in_uids(g, result)) for g, result in zip(groups, results)]


def _part_inputs(part: np.ndarray, component: np.ndarray, links: pl.DataFrame,
                 strong: dict[str, list], decisions: pl.DataFrame,
                 scored: pl.DataFrame | None, n_records: int) -> tuple:
    """_cluster_linked's inputs for the records `part` (sorted uids, whole components),
    renumbered 0..len-1 in uid order, so every order, and so every choice, is the one
    clustering all of them at once makes."""
    local = np.full(n_records, -1, dtype=np.int64)
    local[part] = np.arange(len(part))

    def renumbered(frame: pl.DataFrame) -> pl.DataFrame:
        """The pairs inside one component of the part's records, in local numbers."""
        frame = frame.with_columns(pl.col(F.UID_L).cast(pl.Int64), pl.col(F.UID_R).cast(pl.Int64))
        a = local[frame.get_column(F.UID_L).to_numpy()]
        b = local[frame.get_column(F.UID_R).to_numpy()]
        inside = (a >= 0) & (b >= 0)
        inside[inside] = component[part[a[inside]]] == component[part[b[inside]]]
        return frame.filter(pl.Series(inside)).with_columns(
            pl.Series(F.UID_L, a[inside]), pl.Series(F.UID_R, b[inside]))

    return (len(part), renumbered(links),
            {name: [values[u] for u in part.tolist()] for name, values in strong.items()},
            renumbered(decisions), renumbered(scored) if scored is not None else None)


def _cluster_linked_args(n: int, links: pl.DataFrame, strong: dict[str, list],
                         decisions: pl.DataFrame, scored: pl.DataFrame | None,
                         max_cluster_size: int, checks: dict,
                         min_support: float) -> Clustering:
    with paused_gc():  # in a worker process too (gc_pause.py)
        return _cluster_linked(n, links, strong, decisions, max_cluster_size, checks, scored,
                               min_support)


def _in_uids(part: np.ndarray, result: Clustering) -> tuple:
    refused = result.refused.with_columns(
        pl.Series(F.UID_L, part[result.refused.get_column(F.UID_L).to_numpy()]),
        pl.Series(F.UID_R, part[result.refused.get_column(F.UID_R).to_numpy()])
    ).cast(REFUSED_SCHEMA)
    return (part[result.cluster_of], refused,
            {int(part[root]): flag for root, flag in result.flags.items()})


REFUSED_SCHEMA = {F.UID_L: pl.UInt32, F.UID_R: pl.UInt32, "reason": pl.String}


def _lone_pairs(links: pl.DataFrame, decisions: pl.DataFrame,
                component: np.ndarray) -> pl.DataFrame:
    """(uid_l, uid_r) of the links that are a whole component on their own: two records
    and nothing else, no steward decision. Most components are one person's two records,
    and for them the guards reduce to the two records' own values (support.py needs
    nothing: the one scored pair between them is the link)."""
    left = links.get_column(F.UID_L).to_numpy().astype(np.int64)
    right = links.get_column(F.UID_R).to_numpy().astype(np.int64)
    size = np.bincount(component[component >= 0])
    lone = size[component[left]] == 2
    if decisions.height:
        ends = [decisions.get_column(c).to_numpy().astype(np.int64) for c in (F.UID_L, F.UID_R)]
        decided = np.unique(np.concatenate([component[e] for e in ends]))
        lone &= ~np.isin(component[left], decided[decided >= 0])
    return pl.DataFrame({F.UID_L: left[lone], F.UID_R: right[lone]})


def _pair_conflict(strong: dict[str, list], checks: dict, a: int, b: int) -> str | None:
    """_conflict for two single records: the same questions, without cluster objects."""
    one = {name: strong[name][a] for name in strong}
    two = {name: strong[name][b] for name in strong}
    if "suffix" in checks and "dob" in checks:
        for x, y in ((one, two), (two, one)):
            if (x["suffix"] and any(t in GENERATIONAL for t in x["suffix"].split())
                    and not y["suffix"] and not y["dob"]):
                return "ambiguous_generation"
    for name, conflicts in checks.items():
        x, y = one[name], two[name]
        # two single records: a conflict on a date or an id is the link's own evidence,
        # already weighed (_weighed); suffixes and given names are never waived
        if x and y and name in EVERY_VALUE | LENIENT and conflicts(x, y):
            return f"conflicting_{name}"
    return None


def _components(n: int, ends: list[np.ndarray]) -> np.ndarray:
    """Connected component label of each of n nodes, from edge end arrays (l0, r0, l1, r1,
    ...) by union-find."""
    uf = UnionFind(n)
    for left, right in zip(ends[::2], ends[1::2]):
        for a, b in zip(left.tolist(), right.tolist()):
            uf.union(a, b)
    return np.asarray(uf.components(), dtype=np.int64)


def _cluster_linked(n_records: int, links: pl.DataFrame, strong: dict[str, list],
                    decisions: pl.DataFrame, max_cluster_size: int, checks: dict,
                    scored: pl.DataFrame | None, min_support: float) -> Clustering:
    """cluster_individuals over the records links touch, numbered 0..n_records-1."""
    clusters = [_Cluster({name: ({v: 1} if (v := strong[name][u]) else {})
                          for name in strong}, members={u}) for u in range(n_records)]
    support = Support(n_records, scored, links) if scored is not None else None
    for a, b in decisions.filter(pl.col("decision") == "no_match").select(
            F.UID_L, F.UID_R).iter_rows():
        clusters[a].cannot.add(b)
        clusters[b].cannot.add(a)
    uf = UnionFind(n_records)

    def join(a: int, b: int) -> None:
        ra, rb = uf.find(a), uf.find(b)
        root = uf.union(ra, rb)
        gone = rb if root == ra else ra
        _merge(clusters[root], clusters[gone])
        if support:
            support.merge(root, gone)

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
        reason = _conflict(clusters[ra], clusters[rb], checks,
                           lambda name, a=a, b=b: (strong[name][a], strong[name][b])) or (
            support and _unsupported(support, uf, ra, rb, min_support))
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
    return Clustering(np.asarray(roots, dtype=np.int64),
                      pl.DataFrame(refused, schema={F.UID_L: pl.Int64, F.UID_R: pl.Int64,
                                                    "reason": pl.String}, orient="row"),
                      flags)


def _unsupported(support: Support, uf: UnionFind, ra: int, rb: int,
                 min_support: float) -> str | None:
    mean, n, links = support.between(ra, rb)
    if n and mean < min_support:
        return "weak_support"
    if links < 2 and uf.size[ra] > 1 and uf.size[rb] > 1:
        return "single_link"
    return None
