"""Blocking recall without labels: an estimate of how many true matches the blocking
rules never make candidates, from how the rules overlap (capture-recapture).

Every rule is a separate "capture" of the matching pairs of distinct records (identical
copies are paired with their first copy by blocking itself, not by the rules). The pairs
the trained model scores at or above the match threshold stand in for the true matches.
For one rule, the share of the likely matches found by the *other* rules that this rule
also finds estimates its recall (Lincoln-Petersen: the other rules are a sample of
matches that did not go through this rule's keys). For the union of all rules, the
matches no rule finds are estimated from how many likely matches were found by exactly
one rule (f1) and by exactly two (f2): f0 = f1^2 / (2 f2), Chao's (1987) estimator (here
bias-corrected), which allows for some matches being harder to find than others (a typo
in the name and a missing phone). Rules that fail on the same pairs make both estimates
optimistic; they are estimates, not measurements.
"""

from dataclasses import dataclass

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.block import rule_membership
from resolver.compare.compute import compare_pairs
from resolver.config import Config
from resolver.decisions import decision_pairs, read_decisions
from resolver.score.model import load_model
from resolver.score.predict import predict
from resolver.score.train import labels_from_decisions, train_model


@dataclass(frozen=True)
class RecallEstimate:
    rules: pl.DataFrame  # rule, estimated_recall, found_only_by_rule
    likely_matches: int  # pairs at or above the match threshold: the captured matches
    found_once: int  # f1: likely matches only one rule finds
    found_twice: int  # f2
    estimated_missed: float  # f0: matches no rule finds
    estimated_recall: float  # of the union of the rules


def rule_captures(pairs: pl.DataFrame, membership: np.ndarray, n_rules: int) -> pl.DataFrame:
    """(uid_l, uid_r, rules): the pairs some rule produces, each with the indices of all
    the rules that produce it, not only the first (membership: block.rule_membership)."""
    found = [pl.Series("found", (membership >> np.uint64(k)) & np.uint64(1) == 1)
             for k in range(n_rules)]
    rules = pl.DataFrame({f"r{k}": f for k, f in enumerate(found)}).select(
        pl.concat_list(pl.when(pl.col(f"r{k}")).then(pl.lit(k, pl.UInt16))
                       for k in range(n_rules)).list.drop_nulls().alias("rules"))
    return pl.concat([pairs.select(F.UID_L, F.UID_R), rules], how="horizontal").filter(
        pl.col("rules").list.len() > 0)


def estimate_recall(captures: pl.DataFrame, rule_names: list[str]) -> RecallEstimate:
    """captures: one row per likely match, `rules` the indices of the rules finding it."""
    counted = captures.select(pl.col("rules").list.len().alias("n"), "rules")
    rows = []
    for k, name in enumerate(rule_names):
        found = pl.col("rules").list.contains(k)
        others = counted.filter(pl.col("n") > found.cast(pl.UInt32))
        rows.append({"rule": name,
                     "estimated_recall": others.select(found.mean()).item()
                     if others.height else None,
                     "found_only_by_rule": counted.filter(found & (pl.col("n") == 1)).height})
    n = captures.height
    f1 = counted.filter(pl.col("n") == 1).height
    f2 = counted.filter(pl.col("n") == 2).height
    missed = f1 * (f1 - 1) / (2 * (f2 + 1))  # bias-corrected; defined when f2 = 0
    return RecallEstimate(pl.DataFrame(rows, schema={"rule": pl.String,
                                                     "estimated_recall": pl.Float64,
                                                     "found_only_by_rule": pl.Int64}),
                          n, f1, f2, missed, n / (n + missed) if n else 0.0)


def _scored(normalized: pl.DataFrame, pairs: pl.DataFrame, config: Config) -> pl.DataFrame:
    """The candidate pairs scored as `run` scores them (the saved model when the config
    names one, else trained here)."""
    gammas = compare_pairs(pairs, normalized, config.comparisons)
    if config.model_path and config.model_path.is_file():
        model = load_model(config.model_path, config.comparisons)
    else:
        steward, _ = decision_pairs(read_decisions(config.decisions_path), normalized)
        model = train_model(config, normalized, gammas, labels_from_decisions(steward, gammas))
    return predict(gammas, model, config.comparisons, normalized)


def blocking_recall(normalized: pl.DataFrame, pairs: pl.DataFrame,
                    config: Config) -> RecallEstimate:
    likely = (_scored(normalized, pairs, config).get_column(F.MATCH_PROBABILITY)
              >= config.match_threshold).to_numpy()
    membership = rule_membership(pairs.filter(pl.Series(likely)), normalized,
                                 config.blocking_rules, config.block_cap,
                                 config.link_type == "link_only")
    captures = rule_captures(pairs.filter(pl.Series(likely)), membership,
                             len(config.blocking_rules))
    return estimate_recall(captures, [rule.name for rule in config.blocking_rules])
