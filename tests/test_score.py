"""Fellegi–Sunter estimation against known answers."""

import numpy as np
import polars as pl
import pytest

from resolver.score.estimate import estimate_prior, expectation_maximisation, gamma_patterns
from resolver.config import Comparison


def _simulate(n, prior, m, u, rng):
    is_match = rng.random(n) < prior
    columns = {}
    for j, (mj, uj) in enumerate(zip(m, u)):
        levels = np.where(is_match, rng.choice(len(mj), n, p=mj),
                          rng.choice(len(uj), n, p=uj)) + 1  # level 0 is null
        columns[f"gamma_c{j}"] = levels.astype(np.int8)
    return pl.DataFrame(columns), is_match


def test_em_recovers_m_and_prior_it_was_simulated_with():
    rng = np.random.default_rng(3)
    m = [np.array([0.85, 0.1, 0.05]), np.array([0.9, 0.1]), np.array([0.7, 0.2, 0.1]),
         np.array([0.8, 0.15, 0.05])]
    u = [np.array([0.02, 0.08, 0.9]), np.array([0.05, 0.95]), np.array([0.01, 0.09, 0.9]),
         np.array([0.1, 0.2, 0.7])]
    gammas, _ = _simulate(200_000, 0.2, m, u, rng)
    comparisons = tuple(Comparison(f"c{j}", "text", ("a",) * len(mj)) for j, mj in enumerate(m))
    patterns, counts = gamma_patterns(gammas, comparisons)
    start = [np.full(len(mj), 1 / len(mj)) for mj in m]
    start = [np.array([0.6] + [0.4 / (len(mj) - 1)] * (len(mj) - 1)) for mj in m]
    fitted, prior, _ = expectation_maximisation(patterns, counts, start, u, 0.5,
                                                list(range(len(m))), 200, 1e-9)
    assert abs(prior - 0.2) < 0.01
    for want, got in zip(m, fitted):
        assert np.abs(want - got).max() < 0.02


def test_prior_fixed_point_counts_expected_matches_over_all_pairs():
    rng = np.random.default_rng(5)
    m = [np.array([0.95, 0.05]), np.array([0.9, 0.1])]
    u = [np.array([0.001, 0.999]), np.array([0.002, 0.998])]
    gammas, is_match = _simulate(50_000, 0.05, m, u, rng)
    comparisons = (Comparison("c0", "text", ("a", "b")), Comparison("c1", "text", ("a", "b")))
    patterns, counts = gamma_patterns(gammas, comparisons)
    # these 50,000 pairs are all pairs there are: λ should come out near the true 5%
    prior = estimate_prior(patterns, counts, m, u, total_pairs=50_000)
    assert abs(prior - is_match.mean()) < 0.005


def test_labelled_pairs_train_m_from_the_matches():
    from resolver.score.estimate import train_supervised

    rng = np.random.default_rng(9)
    m = [np.array([0.8, 0.15, 0.05])]
    u = [np.array([0.05, 0.15, 0.8])]
    gammas, is_match = _simulate(20_000, 0.3, m, u, rng)
    comparison = (Comparison("c0", "text", ("a", "b", "else")),)
    model = train_supervised(gammas, is_match, {"c0": list(u[0])}, comparison, 20_000 * 50)
    assert np.abs(np.array(model.comparisons[0].m) - m[0]).max() < 0.02
    assert model.trained["labelled_matches"] == int(is_match.sum())


def test_a_few_steward_decisions_do_not_replace_em_but_many_do():
    from resolver.score.train import labels_from_decisions

    gammas = pl.DataFrame({"uid_l": list(range(300)), "uid_r": list(range(1, 301))})
    few = pl.DataFrame({"uid_l": [0, 1], "uid_r": [1, 2], "decision": ["match", "no_match"]})
    many = pl.DataFrame({"uid_l": list(range(150)), "uid_r": list(range(1, 151)),
                         "decision": ["match", "no_match"] * 75})
    assert labels_from_decisions(few, gammas) is None
    assert labels_from_decisions(many, gammas).height == 150


def test_the_prior_counts_the_matches_blocking_misses(sample_run):
    """λ from the candidates is divided by the rules' estimated recall."""
    import json

    _, out = sample_run
    trained = json.loads((out / "model.json").read_text())
    recall = trained["trained"]["blocking_recall_estimate"]
    assert 0.5 < recall <= 1.0
    assert trained["prior"] == pytest.approx(
        trained["trained"]["prior_within_candidates"] / recall, rel=1e-3)


@pytest.mark.parametrize("levels", [(2, 6, 15), (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                                    (16, 3)])
def test_gamma_patterns_counts_each_distinct_vector(levels):
    """Against counting the rows in Python: the packed 64-bit keys (up to 16
    comparisons of up to 15 levels) and the group-by they replace (beyond that) give
    the same sorted patterns and counts."""
    rng = np.random.default_rng(len(levels))
    comparisons = tuple(Comparison(f"c{j}", "text", ("a",) * k) for j, k in enumerate(levels))
    gammas = pl.DataFrame({f"gamma_c{j}": rng.integers(0, k + 1, 5000).astype(np.int8)
                           for j, k in enumerate(levels)})
    expected: dict[tuple, int] = {}
    for row in gammas.iter_rows():
        expected[row] = expected.get(row, 0) + 1
    patterns, counts = gamma_patterns(gammas, comparisons)
    assert [tuple(p) for p in patterns.tolist()] == sorted(expected)
    assert counts.tolist() == [expected[k] for k in sorted(expected)]
