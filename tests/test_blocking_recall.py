"""Blocking recall estimated without labels: against simulated captures with known capture
probabilities, and against the truth file of generated data the model was not tuned on."""

import random

import polars as pl
import pytest

from resolver import frames as F
from resolver.block import duplicate_representatives
from resolver.pipeline import candidates
from resolver.block import rule_membership
from resolver.report.blocking_recall import blocking_recall, estimate_recall, rule_captures
from resolver.score.train import labels_from_truth


def test_recovers_known_capture_probabilities():
    rng = random.Random(5)
    probabilities = [0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
    matches = [[k for k, p in enumerate(probabilities) if rng.random() < p]
               for _ in range(40_000)]
    captured = [rules for rules in matches if rules]
    estimate = estimate_recall(pl.DataFrame({"rules": captured},
                                            schema={"rules": pl.List(pl.UInt16)}),
                               [f"r{k}" for k in range(len(probabilities))])
    for got, want in zip(estimate.rules.get_column("estimated_recall"), probabilities):
        assert abs(got - want) < 0.01
    assert abs(estimate.estimated_recall - len(captured) / len(matches)) < 0.01
    assert estimate.likely_matches == len(captured)


def test_a_rule_alone_has_no_estimate_and_rules_that_never_overlap_miss_much():
    estimate = estimate_recall(pl.DataFrame({"rules": [[0], [0], [0, 1]]},
                                            schema={"rules": pl.List(pl.UInt16)}),
                               ["a", "b", "c"])
    rows = dict(estimate.rules.select("rule", "estimated_recall").iter_rows())
    assert rows == {"a": 1.0, "b": pytest.approx(1 / 3), "c": 0.0}
    alone = estimate_recall(pl.DataFrame({"rules": [[0], [0]]},
                                         schema={"rules": pl.List(pl.UInt16)}), ["a", "b"])
    assert alone.rules.get_column("estimated_recall").to_list() == [None, 0.0]
    # Chao, bias-corrected: f1 (f1 - 1) / (2 (f2 + 1))
    assert (estimate.found_once, estimate.found_twice) == (2, 1)
    assert estimate.estimated_missed == pytest.approx(2 * 1 / (2 * 2))


def test_estimate_is_close_to_the_labelled_recall(unseen_sample):
    config, truth_path = unseen_sample
    config, normalized, pairs, _ = candidates(config)
    truth = pl.read_parquet(truth_path).with_columns(pl.col(F.RECORD_ID).cast(pl.String))
    # rules run over distinct records (a copy is paired with its first copy, not by rules)
    distinct = duplicate_representatives(normalized, False).filter(
        pl.col(F.UID) == pl.col("rep"))
    people = (normalized.join(distinct, on=F.UID, how="semi")
              .select(F.SOURCE, F.RECORD_ID).join(truth, on=[F.SOURCE, F.RECORD_ID]))
    sizes = people.group_by("person_id").len().get_column("len")
    true_pairs = int((sizes * (sizes - 1) // 2).sum())
    found = labels_from_truth(normalized, pairs, truth).filter("is_match")
    membership = rule_membership(pairs, normalized, config.blocking_rules, config.block_cap)
    captures = rule_captures(pairs, membership, len(config.blocking_rules)).join(
        found, on=[F.UID_L, F.UID_R], how="semi")
    estimate = blocking_recall(normalized, pairs, config)
    # stated tolerance: 0.02 for the union of the rules, 0.04 for each rule
    assert abs(estimate.estimated_recall - captures.height / true_pairs) < 0.02
    for k, (rule, got) in enumerate(estimate.rules.select("rule", "estimated_recall")
                                    .iter_rows()):
        labelled = captures.filter(pl.col("rules").list.contains(k)).height / true_pairs
        assert abs(got - labelled) < 0.04, rule
