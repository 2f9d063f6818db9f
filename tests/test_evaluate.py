"""Evaluation from cluster sizes agrees with counting pairs one by one."""

import itertools
import random

import polars as pl

from resolver.evaluate import cluster_scores


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
