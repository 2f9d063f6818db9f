"""Re-clustering only what the new records can change.

Clustering is decided per connected component of the links and steward must-links
(cluster/individuals.py: joins, guards and support all stay inside one component). So a
component none of whose records is touched (new, changed, at either end of a pair that
was dropped or that was added between two unchanged records, in a cluster that lost a
record, or named by a steward decision that is new or changed) holds exactly the links
and scored pairs it held in the run before, and that run's clusters, flags and refused
links for it stand. (A pair added between a new record and an unchanged one can only
reach the unchanged record's component by linking into it, and then the new record is
in that component.) The others are
clustered again, by the same function a full run uses, on their links and pairs alone.
"""

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.cluster.conflicts import model_checkers
from resolver.cluster.individuals import Clustering, cluster_individuals
from resolver.cluster.strong import strong_values
from resolver.store import Store


def _decision_changes(store: Store, old_to_new: pl.DataFrame,
                      steward: pl.DataFrame) -> pl.Series:
    """uids named by a steward decision that is new, changed or withdrawn."""
    before = (store.decisions
              .join(old_to_new.rename({"old_uid": F.UID_L, F.UID: "l"}), on=F.UID_L)
              .join(old_to_new.rename({"old_uid": F.UID_R, F.UID: "r"}), on=F.UID_R)
              .select(pl.col("l").alias(F.UID_L), pl.col("r").alias(F.UID_R), "decision"))
    now = steward.select(F.UID_L, F.UID_R, "decision")
    differ = pl.concat([before.join(now, on=now.columns, how="anti"),
                        now.join(before, on=now.columns, how="anti")])
    return pl.concat([differ.get_column(F.UID_L), differ.get_column(F.UID_R)])


def _lost_members(store: Store, old_to_new: pl.DataFrame, gone: pl.Series) -> pl.Series:
    """uids of unchanged records whose cluster held a changed or deleted record."""
    hit = store.clusters.filter(pl.col(F.UID).is_in(gone.implode())).get_column("cluster")
    return (store.clusters.filter(pl.col("cluster").is_in(hit.implode()))
            .rename({F.UID: "old_uid"}).join(old_to_new, on="old_uid").get_column(F.UID))


def reach(n: int, seeds: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """uid-indexed: whether a record is connected to a seed through the edges."""
    reached = np.zeros(n, dtype=bool)
    reached[seeds] = True
    while True:
        grow = np.concatenate([right[reached[left] & ~reached[right]],
                               left[reached[right] & ~reached[left]]])
        if not len(grow):
            return reached
        reached[grow] = True


def _both_in(frame: pl.DataFrame, affected: np.ndarray) -> pl.DataFrame:
    return frame.filter(pl.Series(affected[frame.get_column(F.UID_L).to_numpy()]
                                  & affected[frame.get_column(F.UID_R).to_numpy()]))


def recluster(normalized: pl.DataFrame, scored: pl.DataFrame, steward: pl.DataFrame,
              store: Store, delta, touched: pl.Series, model, config) -> tuple[Clustering, int]:
    """-> (the clustering a full run would make, records re-clustered)."""
    n = normalized.height
    links = scored.filter(pl.col(F.DECISION) == "match").select(F.UID_L, F.UID_R,
                                                               F.MATCH_WEIGHT)
    must = steward.filter(pl.col("decision") == "match")
    left = np.concatenate([links.get_column(F.UID_L).to_numpy(),
                           must.get_column(F.UID_L).to_numpy()]).astype(np.int64)
    right = np.concatenate([links.get_column(F.UID_R).to_numpy(),
                            must.get_column(F.UID_R).to_numpy()]).astype(np.int64)
    seeds = pl.concat([delta.fresh, touched, _decision_changes(store, delta.old_to_new, steward),
                       _lost_members(store, delta.old_to_new, delta.gone)]).cast(pl.Int64)
    affected = reach(n, seeds.to_numpy(), left, right)
    checks = model_checkers(model, config.comparisons, config.strong_identifiers,
                            config.match_threshold, config.review_threshold)
    part = cluster_individuals(n, _both_in(links, affected),
                               strong_values(normalized, config.strong_identifiers),
                               _both_in(steward, affected), config.max_cluster_size, checks,
                               _both_in(scored.select(F.UID_L, F.UID_R, F.MATCH_PROBABILITY),
                                        affected), config.review_threshold)
    return _with_stored(part, store, delta.old_to_new, affected), int(affected.sum())


def _with_stored(part: Clustering, store: Store, old_to_new: pl.DataFrame,
                 affected: np.ndarray) -> Clustering:
    """The stored clusters, flags and refused links of the components left alone. Such a
    cluster is labelled by its smallest uid, a record no re-clustered cluster holds."""
    kept = store.clusters.rename({F.UID: "old_uid"}).join(old_to_new, on="old_uid")
    kept = kept.filter(pl.Series(~affected[kept.get_column(F.UID).to_numpy()]))
    kept = kept.with_columns(pl.col(F.UID).min().over("cluster").alias("label"))
    cluster_of = part.cluster_of.copy()
    cluster_of[kept.get_column(F.UID).to_numpy()] = kept.get_column("label").to_numpy()
    flags = dict(part.flags)
    for label, flag in (kept.filter(pl.col(F.CLUSTER_FLAG).is_not_null())
                        .select("label", F.CLUSTER_FLAG).unique().iter_rows()):
        flags[int(label)] = flag
    refused = (store.refused
               .join(old_to_new.rename({"old_uid": F.UID_L, F.UID: "l"}), on=F.UID_L)
               .join(old_to_new.rename({"old_uid": F.UID_R, F.UID: "r"}), on=F.UID_R)
               .select(pl.col("l").alias(F.UID_L), pl.col("r").alias(F.UID_R), "reason"))
    refused = refused.filter(pl.Series(~affected[refused.get_column(F.UID_L).to_numpy()]))
    both = pl.concat([refused.cast(part.refused.schema), part.refused])
    return Clustering(cluster_of, both.sort(F.UID_L, F.UID_R), flags)
