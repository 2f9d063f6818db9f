"""Evaluation from cluster sizes agrees with counting pairs one by one."""

import itertools
import random

import polars as pl

from resolver.evaluate import cluster_scores, reliability


def _brute(pred, true):
    pairs = lambda labels: {(i, j) for i, j in itertools.combinations(range(len(labels)), 2)  # noqa
                            if labels[i] == labels[j]}
    p, t = pairs(pred), pairs(true)
    precision = len(p & t) / len(p) if p else 1.0
    recall = len(p & t) / len(t) if t else 1.0
    n = len(pred)
    bp = sum(sum(1 for j in range(n) if pred[j] == pred[i] and true[j] == true[i])
             / sum(1 for j in range(n) if pred[j] == pred[i]) for i in range(n)) / n
    br = sum(sum(1 for j in range(n) if pred[j] == pred[i] and true[j] == true[i])
             / sum(1 for j in range(n) if true[j] == true[i]) for i in range(n)) / n
    return precision, recall, bp, br


def test_scores_from_cluster_sizes_match_brute_force():
    rng = random.Random(4)
    for _ in range(30):
        n = rng.randint(2, 40)
        pred = [rng.randint(0, n // 2) for _ in range(n)]
        true = [rng.randint(0, n // 2) for _ in range(n)]
        s = cluster_scores("x", pl.DataFrame({"p": pred, "t": true}), "p", "t")
        want = _brute(pred, true)
        got = (s.pairwise_precision, s.pairwise_recall, s.bcubed_precision, s.bcubed_recall)
        assert all(abs(a - b) < 1e-9 for a, b in zip(got, want))


def test_reliability_bins_against_hand_counted_pairs():
    # five pairs at p 0.97 of which 4 true matches; two at 0.55 of which none; one at
    # 0.9995, a match
    records = [("a", str(i)) for i in range(16)]
    truth = pl.DataFrame({"source": [s for s, _ in records], "record_id": [r for _, r in records],
                          "person_id": ["p0", "p0", "p1", "p1", "p2", "p2", "p3", "p3",
                                        "p4", "p5", "p6", "p7", "p8", "p9", "p10", "p10"]})
    pairs = pl.DataFrame({"source_l": ["a"] * 8, "record_id_l": ["0", "2", "4", "6", "8",
                                                                 "10", "12", "14"],
                          "source_r": ["a"] * 8, "record_id_r": ["1", "3", "5", "7", "9",
                                                                 "11", "13", "15"],
                          "match_probability": [0.97, 0.97, 0.97, 0.97, 0.97, 0.55, 0.55,
                                                0.9995]})
    result = reliability(pairs, truth)
    rows = {r["probability"]: r for r in result.bins.to_dicts()}
    assert set(rows) == {"0.5-0.6", "0.95-0.99", "0.999-1"}
    assert rows["0.95-0.99"]["pairs"] == 5
    assert abs(rows["0.95-0.99"]["observed_match_rate"] - 0.8) < 1e-12
    assert abs(rows["0.95-0.99"]["gap"] - (0.8 - 0.97)) < 1e-12
    assert rows["0.5-0.6"]["observed_match_rate"] == 0.0
    assert rows["0.999-1"]["observed_match_rate"] == 1.0
    brier = (4 * 0.03 ** 2 + 0.97 ** 2 + 2 * 0.55 ** 2 + 0.0005 ** 2) / 8
    assert abs(result.brier - brier) < 1e-12
    ece = (5 * 0.17 + 2 * 0.55 + 0.0005) / 8
    assert abs(result.expected_calibration_error - ece) < 1e-12
