"""Which candidate pairs an incremental run compares, and scoring them.

Blocking runs over all current records (stored normalized rows and the new ones), not
new x old alone: a block's cap, its refinement and the pairing of identical records
depend on everyone in the block, so only blocking the union gives exactly the pairs a
full run would. Blocking is cheap next to comparing; comparing is what is skipped. A
candidate pair the store scored between two unchanged records keeps its levels and
weight (the model and the term frequencies are pinned, so they are what a new score
would be); every other pair is compared and scored. Stored pairs that blocking no
longer produces are dropped, and their records re-clustered.
"""

from dataclasses import dataclass

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.compare.compute import with_kept_values
from resolver.score.decide import decide
from resolver.score.batches import kept_for_output
from resolver.score.predict import predict, term_tables
from resolver.store import Store, frequency_frame


@dataclass(frozen=True)
class PairDelta:
    reused: pl.DataFrame  # candidate pairs with stored levels and weight
    todo: pl.DataFrame  # candidate pairs to compare
    touched: pl.Series  # uids at either end of a pair dropped, or added between two
    # unchanged records


def _mapped(store_pairs: pl.DataFrame, old_to_new: pl.DataFrame) -> pl.DataFrame:
    """Stored pairs between unchanged records, in this run's uids (order is kept: uids of
    unchanged records grow with the old ones)."""
    size = int(max(store_pairs.get_column(F.UID_R).max() or 0,
                   old_to_new.get_column("old_uid").max() or 0)) + 1
    new_uid = np.full(size, -1, dtype=np.int64)
    new_uid[old_to_new.get_column("old_uid").to_numpy()] = old_to_new.get_column(F.UID).to_numpy()
    left = new_uid[store_pairs.get_column(F.UID_L).to_numpy()]
    right = new_uid[store_pairs.get_column(F.UID_R).to_numpy()]
    kept = (left >= 0) & (right >= 0)
    schema = store_pairs.schema
    return store_pairs.filter(pl.Series(kept)).with_columns(
        pl.Series(F.UID_L, left[kept]).cast(schema[F.UID_L]),
        pl.Series(F.UID_R, right[kept]).cast(schema[F.UID_R]))


def split_pairs(pairs: pl.DataFrame, store: Store, old_to_new: pl.DataFrame,
                gone: pl.Series) -> PairDelta:
    """Both frames are sorted by (uid_l, uid_r), so the set operations are a binary search
    of one sorted key array in the other, not joins."""
    old = _mapped(store.pairs, old_to_new)
    old_keys = F.pair_keys(old.get_column(F.UID_L).to_numpy(), old.get_column(F.UID_R).to_numpy())
    if len(old_keys) > 1 and not (np.diff(old_keys.astype(np.int64)) > 0).all():
        order = np.argsort(old_keys, kind="stable")  # a store written in another order
        old, old_keys = old[order], old_keys[order]
    keys = F.pair_keys(pairs.get_column(F.UID_L).to_numpy(), pairs.get_column(F.UID_R).to_numpy())
    at = np.minimum(np.searchsorted(old_keys, keys), max(len(old_keys) - 1, 0))
    found = (old_keys[at] == keys) if len(old_keys) else np.zeros(len(keys), dtype=bool)
    still = np.zeros(len(old_keys), dtype=bool)
    still[at[found]] = True
    # both sorted by key, so the stored rows found come in the order of the pairs finding
    # them: a mask reads them (a gather of every stored pair's levels took 1.3 s at 1.2M)
    reused = pl.concat([pairs.filter(pl.Series(found)),
                        old.filter(pl.Series(still)).drop(F.UID_L, F.UID_R)], how="horizontal")
    todo = pairs.filter(pl.Series(~found))
    dropped = old.filter(pl.Series(~still))
    # the unchanged partner of a changed or deleted record lost that pair
    lost = store.pairs.filter(pl.col(F.UID_L).is_in(gone.implode())
                              | pl.col(F.UID_R).is_in(gone.implode()))
    partners = (pl.concat([lost.get_column(F.UID_L), lost.get_column(F.UID_R)])
                .to_frame("old_uid").join(old_to_new, on="old_uid").get_column(F.UID))
    # a new pair with a new or changed record at one end needs no seed at the other: it
    # matters to a component only by linking into it, and then its new record (a seed
    # of recluster) is in that component; a new pair of two unchanged records (blocking
    # found it because a block changed) does
    unchanged_uid = old_to_new.get_column(F.UID).to_numpy()
    left, right = (todo.get_column(c).to_numpy() for c in (F.UID_L, F.UID_R))
    unchanged = np.zeros(int(max(unchanged_uid.max(initial=0), left.max(initial=0),
                                 right.max(initial=0))) + 1, dtype=bool)
    unchanged[unchanged_uid] = True
    between_unchanged = unchanged[left] & unchanged[right]
    touched = pl.concat([pl.Series(left[between_unchanged]), pl.Series(right[between_unchanged]),
                         dropped.get_column(F.UID_L), dropped.get_column(F.UID_R),
                         partners.cast(pl.UInt32)]).unique()
    return PairDelta(reused, todo, touched)


def _probability() -> pl.Expr:
    # as predict computes it, so a stored weight gives the same probability to the bit
    return (1.0 / (1.0 + (2.0 ** -pl.col(F.MATCH_WEIGHT)))).alias(F.MATCH_PROBABILITY)


def score_pairs(compared: pl.DataFrame, reused: pl.DataFrame, store: Store, model,
                config, steward: pl.DataFrame, normalized: pl.DataFrame
                ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """-> (every candidate pair scored and decided, in the narrow shape of a full run's
    score stage; the per-comparison weights of the pairs pairs.parquet holds), as
    score/batches.py gives them. A reused pair keeps its levels and weight; only those
    that pairs.parquet shows (at or above the review threshold, or decided by a steward)
    are scored again, for their partial weights. Both frames come sorted by (uid_l,
    uid_r) and are merged, not concatenated and sorted."""
    tables = term_tables(frequency_frame(store.frequencies), config.comparisons)
    new = predict(compared, model, config.comparisons, tables)
    reused = reused.with_columns(_probability())
    shown = (reused.get_column(F.MATCH_PROBABILITY) >= config.review_threshold).to_numpy()
    if steward.height:
        shown |= reused.join(steward.select(F.UID_L, F.UID_R, pl.lit(True).alias("_steward")),
                             on=[F.UID_L, F.UID_R], how="left", maintain_order="left"
                             ).get_column("_steward").fill_null(False).to_numpy()
    detail = reused.filter(pl.Series(shown))
    detail = predict(with_kept_values(detail.drop(F.MATCH_WEIGHT, F.MATCH_PROBABILITY),
                                      normalized, config.comparisons),
                     model, config.comparisons, tables)
    narrow = [F.UID_L, F.UID_R, F.BLOCKING_RULE, *(F.gamma(c.name) for c in config.comparisons),
              F.MATCH_WEIGHT, F.MATCH_PROBABILITY]
    schema = new.select(narrow).schema
    # a reused pair's stored weight is the one scoring it again gives (same model, same
    # term frequencies), so every reused pair enters as stored
    scored = decide(_merged(new.select(narrow), reused.select(narrow).cast(schema)),
                    steward, config)
    weights = [F.UID_L, F.UID_R, *(F.partial_weight(c.name) for c in config.comparisons)]
    computed = pl.concat([new.select(weights), detail.select(weights)])
    return scored, (scored.filter(kept_for_output(config.review_threshold))
                    .select(F.UID_L, F.UID_R)
                    .join(computed, on=[F.UID_L, F.UID_R], how="left", maintain_order="left"))


def _merged(one: pl.DataFrame, other: pl.DataFrame) -> pl.DataFrame:
    """Two frames of distinct pairs, each sorted by (uid_l, uid_r), as one so sorted."""
    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.Series("_key", F.pair_keys(
            frame.get_column(F.UID_L).to_numpy(), frame.get_column(F.UID_R).to_numpy())))
    return keyed(one).merge_sorted(keyed(other), "_key").drop("_key")
