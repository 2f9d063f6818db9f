"""Prediction: a match weight and probability per pair from its comparison vector.

match_weight = log2(λ/(1-λ)) + Σ partial weights, partial weight = log2(m/u) of the pair's
level (0 for null). With a household class the alternative to a match is "unrelated" or
"another person of the household", so match_weight = log2(λ·Πm) - log2(λu·Πu + λh·Πh);
`household_adjustment` holds how far that moves the plain sum (always <= 0).

Term-frequency adjustment (Winkler; as in Splink): on the first ("exact") level of a
comparison that asks for it, agreement on a value is weighed by how rare the value is
against the typical agreeing value, log2(tf_typical / tf_value), bounded to ±TF_BOUND
bits, so a match on "smith" counts less than one on "zabrowski".
"""

from functools import reduce

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.compare.compute import column_of
from resolver.config import Comparison
from resolver.score.model import Model

TF_BOUND = 5.0
HOUSEHOLD_ADJUSTMENT = "household_adjustment"


def tf_adjustment_column(comparison: Comparison) -> str:
    return f"tf_{comparison.name}"


def term_frequencies(normalized: pl.DataFrame, column: str) -> pl.DataFrame:
    """value -> tf adjustment in bits for agreeing on it."""
    # sorted: float sums must not depend on group_by's order (byte-identical outputs)
    counts = (normalized.select(pl.col(column).alias("value")).drop_nulls()
              .group_by("value").len().sort("value"))
    total = counts.get_column("len").sum()
    if not total:
        return pl.DataFrame(schema={"value": pl.String, "adjustment": pl.Float64})
    tf = counts.get_column("len").to_numpy() / total
    typical = float((tf ** 3).sum() / (tf ** 2).sum())
    adjustment = np.clip(np.log2(typical / tf), -TF_BOUND, TF_BOUND)
    return counts.select("value").with_columns(pl.Series("adjustment", adjustment))


def predict(gammas: pl.DataFrame, model: Model, comparisons: tuple[Comparison, ...],
            normalized: pl.DataFrame) -> pl.DataFrame:
    """Pairs with gamma columns -> the same plus mw_*, tf_*, match_weight, probability."""
    frame = gammas
    weight_columns = []
    for comparison, params in zip(comparisons, model.comparisons):
        weights = params.weights()
        mw = F.partial_weight(comparison.name)
        frame = frame.with_columns(
            pl.col(F.gamma(comparison.name)).cast(pl.Int64)
            .replace_strict(list(range(len(weights))), weights, return_dtype=pl.Float64)
            .alias(mw))
        if comparison.term_frequency:
            tf = term_frequencies(normalized, column_of(comparison))
            column = F.left(column_of(comparison))
            tf_col = tf_adjustment_column(comparison)
            frame = (frame.join(tf.rename({"value": column, "adjustment": tf_col}), on=column,
                                how="left", maintain_order="left")
                     .with_columns(pl.when(pl.col(F.gamma(comparison.name)) == 1)
                                   .then(pl.col(tf_col)).otherwise(0.0).fill_null(0.0)
                                   .alias(tf_col))
                     .with_columns((pl.col(mw) + pl.col(tf_col)).alias(mw)))
        weight_columns.append(mw)
    plain = ordered_sum([pl.lit(model.prior_weight), *map(pl.col, weight_columns)])
    if model.has_household_class:
        frame = frame.with_columns(_household_adjustment(model, comparisons))
    else:
        frame = frame.with_columns(pl.lit(0.0).alias(HOUSEHOLD_ADJUSTMENT))
    weight = plain + pl.col(HOUSEHOLD_ADJUSTMENT)
    return frame.with_columns(weight.alias(F.MATCH_WEIGHT)).with_columns(
        (1.0 / (1.0 + (2.0 ** -pl.col(F.MATCH_WEIGHT)))).alias(F.MATCH_PROBABILITY))


def ordered_sum(terms: list[pl.Expr]) -> pl.Expr:
    """((a + b) + c) + ...: float addition in one fixed order, so weights come out the same
    to the last bit whatever the thread count (sum_horizontal does not promise that)."""
    return reduce(lambda total, term: total + term, terms)


def _household_adjustment(model: Model, comparisons) -> pl.Expr:
    """log2(λu·Πu) − log2(λu·Πu + λh·Πh): how much "another person of the household"
    explains the evidence, in bits off the two-class weight. Πu carries the
    term-frequency adjustment; Πh does not (a rare surname is not rarer at home)."""
    log_h_over_u = []
    for comparison, params in zip(comparisons, model.comparisons):
        ratios = [0.0] + [float(np.log2(h / u)) for h, u in zip(params.h, params.u)]
        ratio = pl.col(F.gamma(comparison.name)).cast(pl.Int64).replace_strict(
            list(range(len(ratios))), ratios, return_dtype=pl.Float64)
        if comparison.term_frequency:
            ratio = ratio + pl.col(tf_adjustment_column(comparison))
        log_h_over_u.append(ratio)
    u_prior = 1.0 - model.prior - model.household_prior
    household_vs_unrelated = (float(np.log2(model.household_prior / u_prior))
                              + ordered_sum(log_h_over_u))
    # log2(1 + 2^x) computed stably for large x
    x = household_vs_unrelated
    softplus = pl.when(x > 30).then(x).otherwise((1.0 + 2.0 ** x).log(2))
    return (-softplus).alias(HOUSEHOLD_ADJUSTMENT)
