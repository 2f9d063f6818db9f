"""The match model against known answers: order constraints, the three-class household
model, term-frequency weights, and the model file."""

import math

import numpy as np
import polars as pl
import pytest

from resolver.config import Comparison
from resolver.score.estimate import expectation_maximisation, gamma_patterns
from resolver.score.household import PERSONAL, SHARED, household_em, initial_h
from resolver.score.model import ComparisonParams, Model, load_model
from resolver.score.monotone import (exact_at_least_near_misses, monotone_weights,
                                     pool_adjacent_violators)
from resolver.score.predict import (_full_name_correction, _with_full_name_correction,
                                    tf_adjustments)


def _antitonic_by_min_max(m: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The non-increasing regression of m/u weighted by u, by its min-max formula
    (Robertson, Wright & Dykstra 1988): x_i = min over s <= i of max over t >= i of
    Σm/Σu over levels s..t. An oracle independent of pool-adjacent-violators."""
    k = len(m)
    return np.array([min(max(m[s:t + 1].sum() / u[s:t + 1].sum() for t in range(i, k))
                         for s in range(i + 1)) for i in range(k)])


def test_pool_adjacent_violators_is_the_weighted_antitonic_regression():
    rng = np.random.default_rng(4)
    for _ in range(200):
        k = int(rng.integers(2, 8))
        m, u = rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k))
        pooled, _ = pool_adjacent_violators(m, u)
        ratios = pooled / u
        assert np.all(np.diff(ratios) <= 1e-9 * ratios[:-1])  # closer never weighs less
        assert np.allclose(ratios, _antitonic_by_min_max(m, u))
        assert math.isclose(pooled.sum(), m.sum())  # the mass of m is kept


def test_pooling_by_hand():
    m, u = np.array([0.5, 0.1, 0.3, 0.1]), np.array([0.01, 0.01, 0.01, 0.97])
    pooled, groups = pool_adjacent_violators(m, u)
    # levels 2 and 3 (ratios 10 and 30) out of order: one level of ratio 0.4 / 0.02 = 20
    assert np.allclose(pooled, [0.5, 0.2, 0.2, 0.1]) and groups == [[1, 2]]


def test_ordered_weights_are_left_alone_and_disorder_is_reported():
    m, u = [np.array([0.9, 0.08, 0.02])], [np.array([0.01, 0.09, 0.9])]
    same, merged, warnings = monotone_weights(["c"], [["exact", "typo", "else"]], m, u)
    assert np.allclose(same[0], m[0]) and merged == {} and warnings == []
    # "dob same_year" at -13 bits below "else" at -4: pooled, and said so
    m, u = [np.array([0.9, 0.0001, 0.0999])], [np.array([0.01, 0.02, 0.97])]
    _, merged, warnings = monotone_weights(["dob"], [["exact", "same_year", "else"]], m, u)
    assert merged == {"dob": [["same_year", "else"]]}
    assert len(warnings) == 1 and warnings[0].startswith("dob: weights out of level order")


def test_exact_is_held_at_least_as_likely_as_any_near_miss():
    # the tree-order MLE pools the root with the near misses above it, largest first;
    # the last level ("else") is free
    assert np.allclose(exact_at_least_near_misses(np.array([10.0, 30, 5, 55])),
                       [0.2, 0.2, 0.05, 0.55])
    assert np.allclose(exact_at_least_near_misses(np.array([10.0, 30, 20, 40])),
                       [0.2, 0.2, 0.2, 0.4])
    assert np.allclose(exact_at_least_near_misses(np.array([60.0, 30, 10])), [0.6, 0.3, 0.1])


def _simulate_classes(n, shares, params, rng):
    """Comparison vectors from known class shares and per-class level probabilities
    (params[class][comparison])."""
    cls = rng.choice(len(shares), size=n, p=shares)
    columns = {}
    for j in range(len(params[0])):
        levels = np.zeros(n, dtype=np.int8)
        for c, per_class in enumerate(params):
            rows = cls == c
            levels[rows] = rng.choice(len(per_class[j]), rows.sum(), p=per_class[j]) + 1
        columns[f"gamma_c{j}"] = levels
    return pl.DataFrame(columns)


def test_em_recovers_m_with_the_order_constraint_where_the_truth_respects_it():
    rng = np.random.default_rng(8)
    m = [np.array([0.7, 0.2, 0.1]), np.array([0.8, 0.15, 0.05]), np.array([0.9, 0.1]),
         np.array([0.6, 0.3, 0.1])]
    u = [np.array([0.01, 0.04, 0.95]), np.array([0.02, 0.08, 0.9]), np.array([0.1, 0.9]),
         np.array([0.05, 0.15, 0.8])]
    gammas = _simulate_classes(100_000, [0.1, 0.9], [m, u], rng)
    comparisons = tuple(Comparison(f"c{j}", "text", ("a",) * len(mj)) for j, mj in enumerate(m))
    patterns, counts = gamma_patterns(gammas, comparisons)
    start = [np.array([0.6] + [0.4 / (len(mj) - 1)] * (len(mj) - 1)) for mj in m]
    fitted, prior, _ = expectation_maximisation(patterns, counts, start, u, 0.5,
                                                list(range(len(m))), 300, 1e-9)
    assert abs(prior - 0.1) < 0.01
    for want, got in zip(m, fitted):
        assert np.abs(want - got).max() < 0.02


def test_household_em_recovers_h_and_the_class_shares_it_was_simulated_with():
    rng = np.random.default_rng(12)
    roles = [SHARED, SHARED, PERSONAL, PERSONAL]
    m = [np.array([0.9, 0.05, 0.05]), np.array([0.85, 0.1, 0.05]), np.array([0.9, 0.1]),
         np.array([0.8, 0.15, 0.05])]
    h = [np.array([0.8, 0.1, 0.1]), np.array([0.7, 0.2, 0.1]), np.array([0.05, 0.95]),
         np.array([0.05, 0.1, 0.85])]
    u = [np.array([0.01, 0.04, 0.95]), np.array([0.02, 0.08, 0.9]), np.array([0.02, 0.98]),
         np.array([0.01, 0.09, 0.9])]
    shares = np.array([0.3, 0.2, 0.5])
    gammas = _simulate_classes(200_000, shares, [m, h, u], rng)
    comparisons = tuple(Comparison(f"c{j}", "text", ("a",) * len(mj)) for j, mj in enumerate(m))
    patterns, counts = gamma_patterns(gammas, comparisons)
    h0 = [initial_h(mj, uj, role) for mj, uj, role in zip(m, u, roles)]
    _, fitted_h, priors, _ = household_em(patterns, counts, m, h0, u,
                                          np.array([0.3, 0.3, 0.4]), roles, 500, 1e-10)
    assert np.abs(priors - shares).max() < 0.01
    for want, got in zip(h, fitted_h):
        assert np.abs(want - got).max() < 0.02


def test_a_term_frequency_weight_by_hand():
    names = pl.DataFrame({"last_name": ["smith"] * 4 + ["jones"] * 2 + ["zabrowski", None]})
    got = dict(tf_adjustments(names, "last_name").iter_rows())
    # tf: smith 4/7, jones 2/7, zabrowski 1/7; u = Σ tf² = 21/49 (two random records agree)
    assert got["smith"] == pytest.approx(math.log2((21 / 49) / (4 / 7)))  # -0.415 bits
    assert got["zabrowski"] == pytest.approx(math.log2((21 / 49) / (1 / 7)))  # +1.585 bits


def test_the_full_name_correction_by_hand():
    people = pl.DataFrame({"first_name": ["john", "john", "john", "mary", "mary", "mary"],
                           "last_name": ["smith", "smith", "brown", "brown", "brown", "smith"]})
    first = Comparison("first_name", "first_name", ("exact", "else"), term_frequency=True)
    last = Comparison("last_name", "last_name", ("exact", "else"), term_frequency=True)
    pairs = pl.DataFrame({"first_name_l": ["john", "john"], "last_name_l": ["smith", "brown"],
                          "gamma_first_name": [1, 1], "gamma_last_name": [1, 2],
                          "tf_first_name": [0.0, 0.0], "tf_last_name": [0.0, 0.0],
                          "mw_first_name": [0.0, 0.0], "mw_last_name": [0.0, 0.0]})
    out = _with_full_name_correction(pairs, (first, last),
                                     _full_name_correction((first, last), people))
    # every part has tf 1/2; full names: john smith 2/6, john brown, mary smith 1/6,
    # mary brown 2/6. log2(tf_first·tf_last/tf_full): log2(0.75) for the two common
    # ones, log2(1.5) for the rare ones; centred on their mean over agreeing matches
    # (weights tf_full): (2·2·log2 0.75 + 2·log2 1.5) / 6
    centre = (4 * math.log2(0.75) + 2 * math.log2(1.5)) / 6
    half = (math.log2(0.75) - centre) / 2
    assert out.get_column("tf_first_name").to_list() == pytest.approx([half, 0.0])
    assert out.get_column("mw_last_name").to_list() == pytest.approx([half, 0.0])


def test_a_model_survives_saving_and_loading(tmp_path):
    comparisons = (Comparison("dob", "dob", ("exact", "levenshtein <= 1", "else")),
                   Comparison("last_name", "last_name", ("exact", "else"), term_frequency=True))
    model = Model(prior=0.0012, household_prior=0.0004, comparisons=[
        ComparisonParams("dob", "dob", ["exact", "levenshtein <= 1", "else"],
                         [0.9, 0.07, 0.03], [0.001, 0.01, 0.989], [0.001, 0.01, 0.989],
                         False, [0.02, 0.03, 0.95]),
        ComparisonParams("last_name", "last_name", ["exact", "else"], [0.95, 0.05],
                         [0.01, 0.99], [0.01, 0.99], True, [0.9, 0.1])],
        trained={"method": "em_per_blocking_rule", "warnings": ["dob: pooled"]})
    model.save(tmp_path / "model.json")
    loaded = load_model(tmp_path / "model.json", comparisons)
    assert loaded == model


def test_a_level_the_training_pairs_never_show_falls_back_to_the_prior_not_to_zero():
    rng = np.random.default_rng(21)
    m = [np.array([0.8, 0.0, 0.2]), np.array([0.9, 0.1])]  # level 2 never seen
    u = [np.array([0.01, 0.01, 0.98]), np.array([0.05, 0.95])]
    gammas = _simulate_classes(2_000, [0.2, 0.8], [m, u], rng)
    comparisons = (Comparison("c0", "text", ("a", "b", "c")), Comparison("c1", "text", ("a", "b")))
    patterns, counts = gamma_patterns(gammas, comparisons)
    start = [np.array([0.6, 0.2, 0.2]), np.array([0.6, 0.4])]
    fitted, _, _ = expectation_maximisation(patterns, counts, start, u, 0.5, [0, 1], 300)
    # about 400 matches and a prior of 10 pseudo-matches shaped like the starting m
    assert 1e-3 < fitted[0][1] < 0.01


def test_levels_of_another_kind_only_need_to_weigh_at_least_else():
    from resolver.score.monotone import ordered_pooling

    # last_name: exact, jaro_winkler >= 0.92, swapped, phonetic, else
    labels = ["exact", "jw92", "swapped", "phonetic", "else"]
    nested = [True, True, False, False, True]
    m = np.array([0.85, 0.04, 0.02, 0.00001, 0.08999])
    u = np.array([0.03, 0.002, 0.00001, 0.0003, 0.96769])
    pooled, groups = ordered_pooling(m, u, nested)
    bits = np.log2(pooled / u)
    # swapped names (+10.97) keep their weight above the near-identical spelling (+4.32);
    # phonetic (-4.91) below else (-3.43) is pooled into it
    assert bits[2] == pytest.approx(math.log2(0.02 / 0.00001))
    assert [labels[i] for g in groups for i in g] == ["phonetic", "else"]
    assert bits[3] == pytest.approx(bits[4]) and bits[4] < bits[1] < bits[0]


def test_u_without_matches_recovers_the_non_match_rate_of_a_known_mixture():
    """Random pairs drawn from λ·m + (1-λ)·u: taking λ·m·N out of the counts gives u back,
    where the raw share would count matches as strangers agreeing."""
    import numpy as np

    from resolver.score.estimate import u_from_counts, u_without_matches

    rng = np.random.default_rng(3)
    m, u, prior, n = np.array([0.85, 0.1, 0.05]), np.array([0.0005, 0.02, 0.9795]), 0.01, 400_000
    is_match = rng.random(n) < prior
    levels = np.where(is_match, rng.choice(3, n, p=m), rng.choice(3, n, p=u))
    counts = np.bincount(levels, minlength=3).astype(float)
    raw = u_from_counts(counts)
    clean = u_without_matches(counts, list(m), prior)
    assert raw[0] > 10 * u[0]  # the raw share is mostly matches
    assert clean[0] == pytest.approx(u[0], rel=0.35)
    assert clean[1] == pytest.approx(u[1], rel=0.1)
