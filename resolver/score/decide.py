"""Decisions: the thresholds give each scored pair match, review or no_match, and a
steward's decision overrides the model's."""

import polars as pl

from resolver import frames as F

MATCH, REVIEW, NO_MATCH = "match", "review", "no_match"


def decide(scored: pl.DataFrame, steward: pl.DataFrame, config) -> pl.DataFrame:
    """Thresholds give each pair a decision; a steward's decision overrides the model's."""
    p = pl.col(F.MATCH_PROBABILITY)
    model = (pl.when(p >= config.match_threshold).then(pl.lit(MATCH))
             .when(p >= config.review_threshold).then(pl.lit(REVIEW))
             .otherwise(pl.lit(NO_MATCH)))
    if steward.height == 0:  # nothing to override: no join over every pair
        return scored.with_columns(model.cast(F.LABEL).alias(F.DECISION),
                                   pl.lit("model", F.LABEL).alias(F.DECISION_SOURCE))
    joined = scored.join(steward.rename({"decision": "steward"}), on=[F.UID_L, F.UID_R],
                         how="left", maintain_order="left")
    return joined.with_columns(
        pl.coalesce(pl.col("steward"), model).cast(F.LABEL).alias(F.DECISION),
        pl.when(pl.col("steward").is_not_null()).then(pl.lit("steward"))
        .otherwise(pl.lit("model")).cast(F.LABEL).alias(F.DECISION_SOURCE),
    ).drop("steward")
