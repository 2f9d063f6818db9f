"""Prediction: a match weight and probability per pair from its comparison vector.

match_weight = log2(λ/(1-λ)) + Σ partial weights, partial weight = log2(m/u) of the pair's
level (0 for null). With a household class the alternative to a match is "unrelated" or
"another person of the household", so match_weight = log2(λ·Πm) - log2(λu·Πu + λh·Πh);
`household_adjustment` holds how far that moves the plain sum (always <= 0).

Term-frequency adjustment (Winkler; as in Splink): on the first ("exact") level of a
comparison that asks for it, agreement on value v is weighed by how rare v is. Two records
of one person agree on v with chance m·tf(v), two strangers with chance tf(v)², so the
value's weight is log2(m/tf(v)) where the level's is log2(m/u) with u = Σ tf²: the
adjustment is log2(u/tf(v)), bounded to ±TF_BOUND bits, so a match on "smith" counts
less than one on "zabrowski".

Where both first and last name are compared with term frequencies, a pair agreeing on
both also gets the full name's dependence correction (the idea of Splink's
ForenameSurnameComparison): log2(tf(first)·tf(last) / tf(first, last)), less its mean
over agreeing matches. "john smith" is more common than "john" and "smith" apart
suggest and is discounted; a rare pairing of common names is rewarded. Centring it
matters: tf counts records, so one person's own duplicates make every full name look
more common than its independent parts (at 4 records a person, several bits for all).
The correction is split evenly between the two comparisons.
"""

from dataclasses import dataclass
from functools import reduce

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.compare.compute import column_of
from resolver.config import Comparison
from resolver.score.dependence import names_agree
from resolver.score.household import SHARED
from resolver.score.model import Model
from resolver.score.train import household_role

TF_BOUND = 5.0
HOUSEHOLD_ADJUSTMENT = "household_adjustment"


def tf_adjustment_column(comparison: Comparison) -> str:
    return f"tf_{comparison.name}"


def term_frequencies(normalized: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, float]:
    """(values of columns) -> tf, and u = Σ tf², the chance that two random records
    agree on them. Records missing any of the columns are left out."""
    # sorted: float sums must not depend on group_by's order (byte-identical outputs)
    counts = (normalized.select(columns).drop_nulls().group_by(columns).len()
              .sort(columns))
    total = counts.get_column("len").sum()
    tf = counts.get_column("len").to_numpy() / total if total else np.zeros(0)
    return counts.select(columns).with_columns(pl.Series("tf", tf)), float((tf ** 2).sum())


def tf_adjustments(normalized: pl.DataFrame, column: str) -> pl.DataFrame:
    """value -> tf adjustment in bits for agreeing on it."""
    tf, u = term_frequencies(normalized, [column])
    return tf.select(pl.col(column).alias("value"),
                     _bits(u, pl.col("tf")).alias("adjustment"))


def _bits(u: float, tf: pl.Expr) -> pl.Expr:
    return (pl.lit(u) / tf).log(2).clip(-TF_BOUND, TF_BOUND)


@dataclass(frozen=True)
class TermTables:
    """The term-frequency adjustments of a run, computed once from all its records and
    used for every chunk of pairs: comparison column -> (value, adjustment), and the full
    name's correction (None when not both names use term frequencies)."""
    adjustments: dict[str, pl.DataFrame]
    full_name: pl.DataFrame | None


def term_tables(normalized: pl.DataFrame, comparisons: tuple[Comparison, ...]) -> TermTables:
    return TermTables({column_of(c): tf_adjustments(normalized, column_of(c))
                       for c in comparisons if c.term_frequency},
                      _full_name_correction(comparisons, normalized))


def predict(gammas: pl.DataFrame, model: Model, comparisons: tuple[Comparison, ...],
            normalized: pl.DataFrame | TermTables) -> pl.DataFrame:
    """Pairs with gamma columns -> the same plus mw_*, tf_*, match_weight, probability.
    normalized: the records the term frequencies count, or their TermTables."""
    tables = (normalized if isinstance(normalized, TermTables)
              else term_tables(normalized, comparisons))
    frame = gammas
    agreeing = _names_agree(gammas, comparisons)  # read by the email's and the household's
    weight_columns = []
    for comparison, params in zip(comparisons, model.comparisons):
        mw = F.partial_weight(comparison.name)
        gamma = frame.get_column(F.gamma(comparison.name)).to_numpy()
        weight = np.asarray(params.weights(), dtype=np.float64)[gamma]  # by level
        if comparison.term_frequency:
            adjustment = _exact_tf(frame, gamma, F.left(column_of(comparison)),
                                   tables.adjustments[column_of(comparison)])
            frame = frame.with_columns(pl.Series(mw, weight + adjustment),
                                       pl.Series(tf_adjustment_column(comparison), adjustment))
        else:
            frame = frame.with_columns(pl.Series(mw, weight))
        frame = _given_names(frame, comparison, params, agreeing)
        weight_columns.append(mw)
    frame = _with_full_name_correction(frame, comparisons, tables.full_name)
    plain = ordered_sum([pl.lit(model.prior_weight), *map(pl.col, weight_columns)])
    if model.has_household_class:
        frame = frame.with_columns(_household_adjustment(frame, model, comparisons, agreeing))
    else:
        frame = frame.with_columns(pl.lit(0.0).alias(HOUSEHOLD_ADJUSTMENT))
    weight = plain + pl.col(HOUSEHOLD_ADJUSTMENT)
    return frame.with_columns(weight.alias(F.MATCH_WEIGHT)).with_columns(
        (1.0 / (1.0 + (2.0 ** -pl.col(F.MATCH_WEIGHT)))).alias(F.MATCH_PROBABILITY))


def _exact_tf(frame: pl.DataFrame, gamma: np.ndarray, column: str,
              adjustments: pl.DataFrame) -> np.ndarray:
    """The term-frequency adjustment of each pair: its value's on the exact level (0 for
    a value the table lacks), 0 on every other level. Only the exact pairs are looked up."""
    out = np.zeros(len(gamma))
    exact = np.flatnonzero(gamma == 1)
    if len(exact):
        looked = (frame.select(pl.col(column).gather(exact).alias("value"))
                  .join(adjustments, on="value", how="left", maintain_order="left")
                  .get_column("adjustment").fill_null(0.0).to_numpy())
        out[exact] = looked
    return out


def _given_names(frame: pl.DataFrame, comparison: Comparison, params,
                 agreeing: np.ndarray | None) -> pl.DataFrame:
    """Email between records agreeing on both names: weighed against strangers who share
    the name (score/dependence.py), without its term-frequency adjustment. agreeing:
    _names_agree of the pairs."""
    given = params.weights_given_names()
    if given is None or agreeing is None:
        return frame
    gamma = frame.get_column(F.gamma(comparison.name)).to_numpy()
    mw = F.partial_weight(comparison.name)
    tf = [tf_adjustment_column(comparison)] if comparison.term_frequency else []
    return frame.with_columns(
        pl.Series(mw, np.where(agreeing, np.asarray(given, dtype=np.float64)[gamma],
                               frame.get_column(mw).to_numpy())),
        *(pl.Series(c, np.where(agreeing, 0.0, frame.get_column(c).to_numpy())) for c in tf))


def _names_agree(frame: pl.DataFrame, comparisons: tuple[Comparison, ...]) -> np.ndarray | None:
    """names_agree of each pair, as a boolean array (None: no name and email comparisons)."""
    agree = names_agree(comparisons)
    return None if agree is None else frame.select(agree).to_series().to_numpy()


def ordered_sum(terms: list[pl.Expr]) -> pl.Expr:
    """((a + b) + c) + ...: float addition in one fixed order, so weights come out the same
    to the last bit whatever the thread count (sum_horizontal does not promise that)."""
    return reduce(lambda total, term: total + term, terms)


def _household_adjustment(frame: pl.DataFrame, model: Model, comparisons,
                          agreeing: np.ndarray | None) -> pl.Series:
    """log2(λu·Πu) − log2(λu·Πu + λh·Πh): how much "another person of the household"
    explains the evidence, in bits off the two-class weight. On what housemates share
    (surname, address) Πu carries the term-frequency adjustment and Πh does not: a rare
    surname is not rarer at home. Given names and personal fields agree between
    housemates by chance, as between strangers, so there the value's frequency scales
    both alike and cancels (a rare first name shared is no sign of a housemate). Each
    level's log ratio is looked up by gamma in an array, the terms added in one fixed
    order (as ordered_sum). agreeing: _names_agree of the pairs."""
    total = None
    for comparison, params in zip(comparisons, model.comparisons):
        gamma = frame.get_column(F.gamma(comparison.name)).to_numpy()
        ratios = np.array([0.0] + [float(np.log2(h / u)) for h, u in zip(params.h, params.u)])
        ratio = ratios[gamma]
        if params.u_given_names is not None and agreeing is not None:
            given = np.array([0.0] + [float(np.log2(h / u)) for h, u in zip(
                params.h, params.u_given_names)])
            ratio = np.where(agreeing, given[gamma], ratio)
        if comparison.term_frequency and household_role(comparison) == SHARED:
            ratio = ratio + frame.get_column(tf_adjustment_column(comparison)).to_numpy()
        total = ratio if total is None else total + ratio
    u_prior = 1.0 - model.prior - model.household_prior
    x = pl.lit(pl.Series(float(np.log2(model.household_prior / u_prior)) + total))
    # log2(1 + 2^x) computed stably for large x
    softplus = pl.when(x > 30).then(x).otherwise((1.0 + 2.0 ** x).log(2))
    return frame.select((-softplus).alias(HOUSEHOLD_ADJUSTMENT)).to_series()


def _full_names(comparisons: tuple[Comparison, ...]) -> tuple[Comparison, Comparison] | None:
    names = {c.kind: c for c in comparisons if c.term_frequency}
    if "first_name" not in names or "last_name" not in names:
        return None
    return names["first_name"], names["last_name"]


def _full_name_correction(comparisons: tuple[Comparison, ...],
                          normalized: pl.DataFrame) -> pl.DataFrame | None:
    """(first_l, last_l, _half): half the full name's centred dependence correction (see
    the module's docstring), for each full name of the records."""
    names = _full_names(comparisons)
    if names is None:
        return None
    columns = [column_of(names[0]), column_of(names[1])]
    full, _ = term_frequencies(normalized, columns)
    for column in columns:
        part, _ = term_frequencies(normalized, [column])
        full = full.join(part.rename({"tf": f"tf_{column}"}), on=column, how="left")
    ratio = (pl.col(f"tf_{columns[0]}") * pl.col(f"tf_{columns[1]}") / pl.col("tf")).log(2)
    full = full.with_columns(ratio.alias("_ratio"))
    centre = float((full.get_column("tf") * full.get_column("_ratio")).sum())
    return full.select(*(pl.col(c).alias(F.left(c)) for c in columns),
                       ((pl.col("_ratio") - centre).clip(-TF_BOUND, TF_BOUND) / 2)
                       .alias("_half"))


def _with_full_name_correction(frame: pl.DataFrame, comparisons: tuple[Comparison, ...],
                               correction: pl.DataFrame | None) -> pl.DataFrame:
    """Add to pairs agreeing on both names the full name's correction, split evenly
    between the two comparisons."""
    names = _full_names(comparisons)
    if names is None or correction is None:
        return frame
    first, last = names
    both = (pl.col(F.gamma(first.name)) == 1) & (pl.col(F.gamma(last.name)) == 1)
    half = pl.when(both).then(pl.col("_half")).otherwise(0.0).fill_null(0.0)
    return (frame.join(correction, on=[F.left(column_of(c)) for c in names], how="left",
                       maintain_order="left")
            .with_columns(half.alias("_half"))
            .with_columns(*(pl.col(c) + pl.col("_half") for c in (
                tf_adjustment_column(first), tf_adjustment_column(last),
                F.partial_weight(first.name), F.partial_weight(last.name))))
            .drop("_half"))
