"""Order constraints on the match model's levels.

A comparison's levels run from most to least similar, and two facts about them hold for
any data unless it clearly says otherwise:

- A closer level never weighs less than a farther one. Weights log2(m/u) estimated level
  by level break this through noise (a level with a handful of pairs) or through EM
  explaining some other structure with a rare level (`dob same_year` at -13 bits, below
  `else`). The fix is isotonic regression of the likelihood ratios by pool-adjacent-
  violators (Ayer et al. 1955; Robertson, Wright & Dykstra 1988): adjacent levels out of
  order are merged into one, whose ratio is Σm/Σu, the count-weighted mean; u stays as
  measured on random pairs and m of each merged level becomes u·Σm/Σu (Σm is kept).
- Only levels that nest are ordered this way: exact agreement, similarity thresholds
  (jaro_winkler >= 0.92 before >= 0.80), containment (same unit, building, street, ZIP;
  same year and month, same year) and `else`. A level of another kind (nickname,
  swapped, initial, phonetic, day/month swapped, one side missing, same local part) is
  not "closer" than its neighbours, only never evidence against compared with `else`:
  swapped names may well weigh more than a near-identical spelling. Those levels are
  pooled into `else` when they weigh less (the tree order with `else` at its root).
- The first level (exact agreement) is at least as common among matches as any near-miss
  level: m_exact >= m_k for every level k but `else`. EM without it can let the match
  class drift to "near misses" (m of a one-typo date 0.68 against 0.17 for the exact
  date). In EM's M-step this is the constrained maximum-likelihood estimate of a
  multinomial under a tree order: the root is pooled with the near-miss levels that
  exceed it, largest first.
"""

import math

import numpy as np

WARN_BITS = 1.0  # pooling that moves a level's weight further than this is reported


def pool_adjacent_violators(m: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, list[list[int]]]:
    """m re-estimated so that m/u never increases from level to level. -> new m, the
    groups of merged levels (only groups of two or more)."""
    blocks: list[list[int]] = []
    for i in range(len(m)):
        blocks.append([i])
        while len(blocks) > 1 and _ratio(m, u, blocks[-2]) < _ratio(m, u, blocks[-1]):
            last = blocks.pop()
            blocks[-1] = blocks[-1] + last
    out = np.asarray(m, dtype=float).copy()
    for block in blocks:
        if len(block) > 1:
            out[block] = u[block] * (m[block].sum() / u[block].sum())
    return out, [b for b in blocks if len(b) > 1]


def ordered_pooling(m: np.ndarray, u: np.ndarray,
                    nested: list[bool]) -> tuple[np.ndarray, list[list[int]]]:
    """PAV over the nested levels in order (the last level, `else`, is one of them),
    then every other level weighing less than the `else` block joins it, lowest first.
    -> new m, the groups of merged levels (two or more)."""
    m, u = np.asarray(m, dtype=float), np.asarray(u, dtype=float)
    chain = [i for i, n in enumerate(nested) if n]
    pooled, groups = pool_adjacent_violators(m[chain], u[chain])
    out = m.copy()
    out[chain] = pooled
    blocks = [[chain[i] for i in g] for g in groups]
    last = next((b for b in blocks if chain[-1] in b), None)
    if last is None:
        last = [chain[-1]]
        blocks.append(last)
    for i in sorted((i for i, n in enumerate(nested) if not n), key=lambda i: m[i] / u[i]):
        if m[i] / u[i] >= _ratio(m, u, last):
            break
        last.append(i)
    for block in blocks:
        if len(block) > 1:
            block.sort()
            out[block] = u[block] * (m[block].sum() / u[block].sum())
    return out, sorted(b for b in blocks if len(b) > 1)


def _ratio(m: np.ndarray, u: np.ndarray, block: list[int]) -> float:
    return float(m[block].sum() / u[block].sum())


def exact_at_least_near_misses(counts: np.ndarray) -> np.ndarray:
    """Maximum-likelihood level probabilities from expected counts, levels 1..K, under
    p_1 >= p_k for 1 < k < K (the last level, `else`, is free)."""
    p = counts / counts.sum()
    if len(p) < 3:
        return p
    near = sorted(range(1, len(p) - 1), key=lambda i: -p[i])
    pooled, total = [0], p[0]
    for i in near:
        if p[i] <= total / len(pooled):
            break
        pooled.append(i)
        total += p[i]
    out = p.copy()
    out[pooled] = total / len(pooled)
    return out


def monotone_weights(names: list[str], labels: list[list[str]], m: list[np.ndarray],
                     u: list[np.ndarray], nested: list[list[bool]] | None = None
                     ) -> tuple[list[np.ndarray], dict, list[str]]:
    """ordered_pooling over every comparison (nested: per comparison, which levels nest;
    all when None). -> new m, {comparison: merged level groups by label}, warnings for
    the model file where pooling moved a weight by more than WARN_BITS."""
    out, merged, warnings = [], {}, []
    nested = nested or [[True] * len(lab) for lab in labels]
    for name, lab, mj, uj, nj in zip(names, labels, m, u, nested):
        mj, uj = np.asarray(mj, dtype=float), np.asarray(uj, dtype=float)
        new, groups = ordered_pooling(mj, uj, nj)
        out.append(new)
        if not groups:
            continue
        merged[name] = [[lab[i] for i in g] for g in groups]
        for g in groups:
            pooled = _bits(new[g[0]], uj[g[0]])
            if max(abs(_bits(mj[i], uj[i]) - pooled) for i in g) <= WARN_BITS:
                continue
            before = ", ".join(f"{lab[i]} {_bits(mj[i], uj[i]):+.2f}" for i in g)
            warnings.append(f"{name}: weights out of level order, pooled: {before} -> "
                            f"{pooled:+.2f}")
    return out, merged, warnings


def _bits(m: float, u: float) -> float:
    return math.log2(m / u)
