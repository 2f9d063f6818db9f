"""Samples of pairs that do not depend on how the pairs are stored or split.

A pair's place in the run's random order is a hash of the pair and the seed: SplitMix64's
finalizer (Steele, Lea & Flood 2014) over uid_l·2^32 + uid_r, mixed with the seed. It is a
bijection of 64-bit integers, so distinct pairs never tie, and a sample of n pairs is the
n pairs first in that order: the same pairs whatever the order or partitioning of the
frame, so the local engine (one frame) and Spark (ranks per partition, then the n
smallest) train on the same sample.
"""

import numpy as np
import polars as pl

from resolver import frames as F

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def pair_rank(uid_l: np.ndarray, uid_r: np.ndarray, seed: int) -> np.ndarray:
    """uint64 per pair: its place in the seed's random order."""
    with np.errstate(over="ignore"):
        x = F.pair_keys(uid_l, uid_r) ^ (np.uint64(seed % 2 ** 64) * _GOLDEN)
        x = (x ^ (x >> np.uint64(30))) * _MIX1
        x = (x ^ (x >> np.uint64(27))) * _MIX2
        return x ^ (x >> np.uint64(31))


def sample_pairs(pairs: pl.DataFrame, n: int, seed: int) -> pl.DataFrame:
    """The n pairs first in the seed's order (all of them when there are no more), sorted
    by uid_l, uid_r."""
    if pairs.height <= n:
        return pairs
    left, right = pairs.get_column(F.UID_L).to_numpy(), pairs.get_column(F.UID_R).to_numpy()
    keep = np.zeros(pairs.height, dtype=bool)
    keep[np.argpartition(pair_rank(left, right, seed), n - 1)[:n]] = True
    # a mask keeps the frame's order, and costs far less than a gather on the many
    # chunks compared pairs arrive in; only an unsorted frame is sorted after
    sampled = pairs.filter(pl.Series(keep))
    key = F.pair_keys(left, right).astype(np.int64)
    return sampled if bool((np.diff(key) > 0).all()) else sampled.sort(F.UID_L, F.UID_R)
