"""Scoring a run's candidate pairs in batches, so that memory holds the per-comparison
weights of one batch at a time. Every pair keeps what clustering, lineage and the report
need (ids, blocking rule, levels, match weight and probability, decision); only the pairs
that go to pairs.parquet (at or above the review threshold, or decided by a steward) keep
their per-comparison weights, in a second frame. At 20 million pairs that is the
difference between ~3.6 GB of weights and ~0.4 GB."""

import polars as pl

from resolver import frames as F
from resolver.config import Config
from resolver.score.decide import decide
from resolver.score.model import Model
from resolver.score.predict import TermTables, predict, term_tables
from resolver.threads import in_order

SCORE_BATCH = 1_000_000  # pairs; two are scored at once (resolver/threads.py)


def kept_for_output(review_threshold: float) -> pl.Expr:
    """The pairs pairs.parquet holds."""
    return ((pl.col(F.MATCH_PROBABILITY) >= review_threshold)
            | (pl.col(F.DECISION_SOURCE) == "steward"))


def score_pairs(gammas: pl.DataFrame, model: Model, config: Config,
                normalized: pl.DataFrame | TermTables,
                steward: pl.DataFrame, on_batch=None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """-> (every pair: ids, rule, gammas, weight, probability, decision; the pairs kept
    for output: ids and each comparison's partial weight). normalized: the records the
    term frequencies count, or their TermTables. on_batch(done, total): told after each
    batch (progress)."""
    tables = (normalized if isinstance(normalized, TermTables)
              else term_tables(normalized, config.comparisons))
    gamma_columns = [F.gamma(c.name) for c in config.comparisons]
    weights = [F.partial_weight(c.name) for c in config.comparisons]

    def score_batch(start: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        scored = decide(predict(gammas.slice(start, SCORE_BATCH), model, config.comparisons,
                                tables), steward, config)
        return (scored.select(F.UID_L, F.UID_R, F.BLOCKING_RULE, *gamma_columns,
                              F.MATCH_WEIGHT, F.MATCH_PROBABILITY, F.DECISION,
                              F.DECISION_SOURCE),
                scored.filter(kept_for_output(config.review_threshold))
                .select(F.UID_L, F.UID_R, *weights))

    narrow, detail = [], []
    starts = range(0, max(gammas.height, 1), SCORE_BATCH)
    for start, (kept, shown) in zip(starts, in_order(score_batch, starts)):
        narrow.append(kept)
        detail.append(shown)
        if on_batch:
            on_batch(min(start + SCORE_BATCH, gammas.height), gammas.height)
    # not rechunked: one contiguous copy of every batch would double the frame at its peak
    return pl.concat(narrow, rechunk=False), pl.concat(detail, rechunk=False)
