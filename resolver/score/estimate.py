"""Unsupervised estimation of the Fellegi–Sunter model (Fellegi & Sunter 1969; Winkler
1988), in the way Splink does it:

- u by random sampling: the comparison levels of random record pairs (almost all of them
  non-matches) give the chance that two different people agree at each level.
- m by expectation–maximisation, once per blocking rule over the pairs that rule produces,
  with u held fixed. Within a rule's pairs the comparisons on the rule's own keys agree by
  construction, so they are left out of that rule's EM and their m comes from other rules;
  estimates from several rules are averaged. EM runs over distinct comparison patterns
  weighted by their counts (as in fastLink), so its cost does not grow with the data.
- λ, the chance that two random records are the same person: the expected number of
  matching candidate pairs (the sum of their posteriors) over all possible pairs, solved
  as a fixed point. Blocking is a function of the records' values, so given its full
  comparison vector a candidate pair has the same posterior as a random pair: random-pair
  u and λ are the right ones to predict with.
- Order and priors (score/monotone.py): EM's M-step keeps m of the exact level at least
  that of each near-miss level, m has a weak Dirichlet prior (PRIOR_MATCHES pseudo-pairs),
  and the final weights are pooled into level order; where the data pushed against these
  the model's `trained.warnings` say so.
- Households (optional): a third latent class, in score/household.py.
- With labelled pairs (steward decisions, a truth file), m and u come from the labels.
"""

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.compare.compute import compare_pairs, levels_of
from resolver.compare.library import SIMILARITY_OPS
from resolver.config import Comparison
from resolver.score.household import household_em, initial_h
from resolver.score.model import MIN_PROBABILITY, ComparisonParams, Model
from resolver.score.monotone import exact_at_least_near_misses, monotone_weights

SMOOTHING = 1.0  # pseudo-count per level: no level is ever impossible
PRIOR_MATCHES = 10.0  # strength of the prior on m, in matching pairs


def random_pairs(normalized: pl.DataFrame, n_pairs: int, seed: int,
                 link_only: bool) -> pl.DataFrame:
    """Distinct random record pairs uid_l < uid_r (across sources when link_only)."""
    uids = normalized.get_column(F.UID).to_numpy()
    sources = normalized.get_column(F.SOURCE).to_numpy()
    n = len(uids)
    total = n * (n - 1) // 2
    rng = np.random.default_rng(seed)
    draw = min(n_pairs, total)
    a = rng.integers(0, n, size=int(draw * 1.2) + 10)
    b = rng.integers(0, n, size=len(a))
    keep = a != b
    if link_only:
        keep &= sources[a] != sources[b]
    a, b = a[keep], b[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    frame = pl.DataFrame({F.UID_L: uids[lo], F.UID_R: uids[hi]}).unique(maintain_order=True)
    return frame.head(draw).with_columns(pl.lit("random").alias(F.BLOCKING_RULE)).cast(
        F.PAIR_SCHEMA)


def level_frequencies(gammas: pl.DataFrame, comparison: Comparison,
                      weights: np.ndarray | None = None) -> list[float]:
    """Share of non-null pairs at each level (smoothed), levels 1..K."""
    column = gammas.get_column(F.gamma(comparison.name)).to_numpy()
    k = len(comparison.levels)
    w = np.ones(len(column)) if weights is None else weights
    counts = np.bincount(column, weights=w, minlength=k + 1)[1:] + SMOOTHING
    return list(np.maximum(counts / counts.sum(), MIN_PROBABILITY))


def random_level_counts(normalized: pl.DataFrame, comparisons: tuple[Comparison, ...],
                        n_pairs: int, seed: int, link_only: bool) -> dict[str, np.ndarray]:
    """Per comparison, how many random pairs fall in each level 1..K (nulls left out)."""
    pairs = random_pairs(normalized, n_pairs, seed, link_only)
    return level_counts(compare_pairs(pairs, normalized, comparisons), comparisons)


def level_counts(gammas: pl.DataFrame,
                 comparisons: tuple[Comparison, ...]) -> dict[str, np.ndarray]:
    """Per comparison, how many pairs fall in each level 1..K (nulls left out)."""
    return {c.name: np.bincount(gammas.get_column(F.gamma(c.name)).to_numpy(),
                                minlength=len(c.levels) + 1)[1:].astype(float)
            for c in comparisons}


def u_from_counts(counts: np.ndarray) -> list[float]:
    smoothed = counts + SMOOTHING
    return list(np.maximum(smoothed / smoothed.sum(), MIN_PROBABILITY))


def u_without_matches(counts: np.ndarray, m: list[float], prior: float) -> list[float]:
    """u from random pairs with the matches among them taken out.

    Random pairs are a mixture: a share λ of them are matches, which fall in level k
    with chance m_k, so the count of level k holds about λ·m_k·N matches besides the
    non-matches u is about. Where λ is tiny (large data) this changes nothing; in a small
    file with several records per person, agreeing on an email among random pairs is
    mostly two records of one person, and u taken raw would make that agreement look
    common among strangers."""
    expected = prior * np.asarray(m) * counts.sum()
    return u_from_counts(np.maximum(counts - expected, 0.0))


def _initial_m(k: int) -> np.ndarray:
    # most matches agree exactly; the rest spread over weaker levels, least on "else"
    m = np.array([0.9] + [0.1 * 0.5 ** i for i in range(1, k)], dtype=float)
    return m / m.sum()


def _log_likelihoods(patterns: np.ndarray, m: list[np.ndarray], u: list[np.ndarray],
                     active: list[int]) -> tuple[np.ndarray, np.ndarray]:
    log_m = np.zeros(len(patterns))
    log_u = np.zeros(len(patterns))
    for j in active:
        g = patterns[:, j]
        present = g > 0
        log_m[present] += np.log(m[j][g[present] - 1])
        log_u[present] += np.log(u[j][g[present] - 1])
    return log_m, log_u


def _posterior(log_m: np.ndarray, log_u: np.ndarray, prior: float) -> np.ndarray:
    log_odds = np.log(prior) - np.log1p(-prior) + log_m - log_u
    return 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))


def expected_match_counts(patterns: np.ndarray, matching: np.ndarray, j: int,
                          k: int) -> np.ndarray:
    """Expected matching pairs at levels 1..k of comparison j (nulls left out), plus
    PRIOR_MATCHES pseudo-pairs spread as _initial_m: a Dirichlet prior, so a level the
    training pairs hardly hold falls back toward the prior instead of m = 0 and an
    extreme weight, while a level with data is barely moved."""
    return (np.bincount(patterns[:, j], weights=matching, minlength=k + 1)[1:]
            + PRIOR_MATCHES * _initial_m(k))


def expectation_maximisation(patterns: np.ndarray, counts: np.ndarray,
                             m: list[np.ndarray], u: list[np.ndarray], prior: float,
                             active: list[int], max_iterations: int,
                             tolerance: float = 1e-6,
                             ordered: bool = True) -> tuple[list[np.ndarray], float, int]:
    """EM for m and the prior with u fixed, over distinct gamma patterns (rows) with their
    counts; only the `active` comparisons take part. Level 0 is null: no evidence.
    ordered: the M-step keeps m of the first level at least that of each near-miss level
    (score/monotone.py)."""
    m = [x.copy() for x in m]
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (returned below)
        p = _posterior(*_log_likelihoods(patterns, m, u, active), prior)
        wm = counts * p
        change = 0.0
        for j in active:
            cm = expected_match_counts(patterns, wm, j, len(m[j]))
            new = exact_at_least_near_misses(cm) if ordered else cm / cm.sum()
            new = np.maximum(new, MIN_PROBABILITY)
            change = max(change, float(np.abs(new - m[j]).max()))
            m[j] = new
        new_prior = float(np.clip(wm.sum() / counts.sum(), 1e-9, 1 - 1e-9))
        change = max(change, abs(new_prior - prior))
        prior = new_prior
        if change < tolerance:
            break
    return m, prior, iteration


PATTERN_COUNT = "pattern_count"  # a frame of distinct gamma patterns: pairs holding each


def gamma_patterns(gammas: pl.DataFrame, comparisons: tuple[Comparison, ...]):
    """-> (distinct gamma patterns, sorted; pairs holding each). gammas: one row per pair,
    or per pattern with its PATTERN_COUNT (as an engine aggregates them): the same
    patterns and counts either way, so EM gives the same model."""
    columns = [F.gamma(c.name) for c in comparisons]
    if PATTERN_COUNT not in gammas.columns and _fits_a_key(comparisons):
        return _packed_patterns(gammas, columns)
    count = pl.col(PATTERN_COUNT).sum() if PATTERN_COUNT in gammas.columns else pl.len()
    grouped = gammas.group_by(columns).agg(count.alias("n")).sort(columns)
    return (grouped.select(columns).to_numpy().astype(np.int64),
            grouped.get_column("n").to_numpy().astype(float))


def pattern_frame(gammas: pl.DataFrame, comparisons: tuple[Comparison, ...]) -> pl.DataFrame:
    """gammas as their distinct patterns with PATTERN_COUNT: counted once for every
    training pass that reads them (gamma_patterns gives the same from either)."""
    if PATTERN_COUNT in gammas.columns:
        return gammas
    patterns, counts = gamma_patterns(gammas, comparisons)
    columns = [F.gamma(c.name) for c in comparisons]
    return pl.DataFrame(patterns, schema=columns, orient="row").with_columns(
        pl.Series(PATTERN_COUNT, counts))


LEVEL_BITS = 4  # a comparison's level (0 null, 1..K) in one nibble of a pattern key


def _fits_a_key(comparisons: tuple[Comparison, ...]) -> bool:
    return (len(comparisons) * LEVEL_BITS <= 64
            and all(len(c.levels) < 2 ** LEVEL_BITS for c in comparisons))


def _packed_patterns(gammas: pl.DataFrame, columns: list[str]):
    """gamma_patterns of one row per pair, counted on one 64-bit key per pair (the levels
    side by side, the first comparison highest): a multi-column group-by over tens of
    millions of pairs held ~2 GB of row encodings at 1.2M records; this holds 8 bytes a
    pair. Sorting the keys sorts the patterns as the columns would."""
    key = np.zeros(gammas.height, dtype=np.uint64)
    for column in columns:
        key <<= np.uint64(LEVEL_BITS)
        key |= gammas.get_column(column).to_numpy().astype(np.uint64)
    counted = pl.Series("key", key).value_counts(name="n").sort("key")
    keys = counted.get_column("key").to_numpy()
    shifts = np.arange(len(columns) - 1, -1, -1, dtype=np.uint64) * np.uint64(LEVEL_BITS)
    patterns = ((keys[:, None] >> shifts[None, :]) & np.uint64(2 ** LEVEL_BITS - 1))
    return patterns.astype(np.int64), counted.get_column("n").to_numpy().astype(float)


def estimate_prior(patterns: np.ndarray, counts: np.ndarray, m: list[np.ndarray],
                   u: list[np.ndarray], total_pairs: int, iterations: int = 200) -> float:
    """λ = E[matching pairs] / all pairs, with the posteriors computed under λ itself."""
    log_m, log_u = _log_likelihoods(patterns, m, u, list(range(len(m))))
    prior = 1.0 / max(total_pairs, 2)
    for _ in range(iterations):
        expected = float((counts * _posterior(log_m, log_u, prior)).sum())
        new = float(np.clip(expected / total_pairs, 1e-12, 0.5))
        if abs(new - prior) <= 1e-9 * prior:
            break
        prior = new
    return prior


def train_unsupervised(rule_gammas: dict[str, tuple[pl.DataFrame, list[int]]],
                       candidate_gammas: pl.DataFrame, u_random: dict[str, list[float]],
                       comparisons: tuple[Comparison, ...], total_pairs: int,
                       max_iterations: int, household_roles: list[str] | None = None,
                       ) -> Model:
    """rule_gammas: per training rule, its pairs' gammas and the indices of the
    comparisons that rule does not block on (those EM estimates there).
    household_roles: per comparison, its role for household members (see household_em);
    None fits no household class."""
    u = [np.array(u_random[c.name]) for c in comparisons]
    estimates: list[list[np.ndarray]] = [[] for _ in comparisons]
    sessions, warnings = [], []
    for rule, (gammas, active) in rule_gammas.items():
        if gammas.height == 0 or not active:
            continue
        patterns, counts = gamma_patterns(gammas, comparisons)
        m0 = [_initial_m(len(c.levels)) for c in comparisons]
        m, prior, iterations = expectation_maximisation(patterns, counts, m0, u, 0.3,
                                                        active, max_iterations)
        warnings += _order_held(rule, patterns, counts, m, u, prior, active, comparisons)
        for j in active:
            estimates[j].append(m[j])
        sessions.append({"rule": rule, "pairs": int(counts.sum()), "iterations": iterations,
                         "prior_within_rule": round(prior, 6),
                         "estimated": [comparisons[j].name for j in active]})
    m_final = [np.mean(e, axis=0) if e else _initial_m(len(c.levels))
               for e, c in zip(estimates, comparisons)]
    m_final, merged, pooled = monotone_weights(
        [c.name for c in comparisons], [list(c.levels) for c in comparisons], m_final, u,
        [nested_levels(c) for c in comparisons])
    patterns, counts = gamma_patterns(candidate_gammas, comparisons)
    trained = {"method": "em_per_blocking_rule", "candidate_pairs": int(counts.sum()),
               "total_pairs": total_pairs, "sessions": sessions,
               "not_estimated": [c.name for c, e in zip(comparisons, estimates) if not e],
               "pooled_levels": merged, "warnings": warnings + pooled}
    h_final, household_prior = None, 0.0
    if household_roles is not None and counts.sum() > 0:
        h0 = [initial_h(mj, uj, role) for mj, uj, role in zip(m_final, u, household_roles)]
        m_final, h_final, priors, iterations = household_em(
            patterns, counts, m_final, h0, u, np.array([0.3, 0.3, 0.4]), household_roles,
            max_iterations)
        # candidate pairs hold (nearly) every match and household pair there is
        prior = float(np.clip(priors[0] * counts.sum() / total_pairs, 1e-12, 0.5))
        household_prior = float(np.clip(priors[1] * counts.sum() / total_pairs, 1e-12, 0.5))
        trained |= {"method": "em_per_blocking_rule+household_class",
                    "household_em_iterations": iterations,
                    "class_shares_in_candidates": [round(float(x), 6) for x in priors]}
    else:
        prior = estimate_prior(patterns, counts, m_final, u, total_pairs)
    params = [ComparisonParams(c.name, c.kind, list(c.levels), [float(x) for x in mj],
                               [float(x) for x in uj], [float(x) for x in uj],
                               c.term_frequency,
                               [float(x) for x in h_final[j]] if h_final else None)
              for j, (c, mj, uj) in enumerate(zip(comparisons, m_final, u))]
    return Model(prior=prior, comparisons=params, trained=trained,
                 household_prior=household_prior)


# levels that nest (each holds all pairs of the levels before it, or is a looser
# threshold of the same measure): only these are kept in order (score/monotone.py)
NESTED_OPS = frozenset({"exact", "else", "same_unit", "same_building", "same_street",
                        "same_zip", "same_city", "same_year_month", "same_year",
                        *SIMILARITY_OPS, *(f"street_{op}" for op in SIMILARITY_OPS)})


def nested_levels(comparison: Comparison) -> list[bool]:
    try:
        return [level.op in NESTED_OPS for level in levels_of(comparison)]
    except ValueError:  # labels of no known kind (hand-built models): keep them in order
        return [True] * len(comparison.levels)


def train_supervised(gammas: pl.DataFrame, is_match: np.ndarray,
                     u_random: dict[str, list[float]],
                     comparisons: tuple[Comparison, ...], total_pairs: int) -> Model:
    """m from labelled matches among the candidate pairs; u from random pairs."""
    m = [np.array(level_frequencies(gammas, c, is_match.astype(float))) for c in comparisons]
    u = [np.array(u_random[c.name]) for c in comparisons]
    m, merged, warnings = monotone_weights([c.name for c in comparisons],
                                           [list(c.levels) for c in comparisons], m, u,
                                           [nested_levels(c) for c in comparisons])
    params = [ComparisonParams(c.name, c.kind, list(c.levels), [float(x) for x in mj],
                               u_random[c.name], u_random[c.name], c.term_frequency)
              for c, mj in zip(comparisons, m)]
    prior = float(np.clip(is_match.sum() / max(total_pairs, 1), 1e-12, 0.5))
    return Model(prior=prior, comparisons=params, trained={
        "method": "labels", "labelled_pairs": int(len(is_match)),
        "labelled_matches": int(is_match.sum()), "pooled_levels": merged,
        "warnings": warnings})


def _order_held(rule: str, patterns: np.ndarray, counts: np.ndarray, m: list[np.ndarray],
                u: list[np.ndarray], prior: float, active: list[int],
                comparisons: tuple[Comparison, ...]) -> list[str]:
    """Where EM, left free at its fitted state, would put a near-miss level's m above the
    exact level's: the data pushed against m_exact >= m_near_miss, which held."""
    matching = counts * _posterior(*_log_likelihoods(patterns, m, u, active), prior)
    out = []
    for j in active:
        free = expected_match_counts(patterns, matching, j, len(m[j]))
        free = free / free.sum()
        if len(free) < 3 or free[1:-1].max() <= free[0] + 0.01:
            continue
        i = 1 + int(free[1:-1].argmax())
        levels = comparisons[j].levels
        out.append(f"{comparisons[j].name} (rule {rule}): EM would put m of {levels[i]!r} "
                   f"({free[i]:.2f}) above {levels[0]!r} ({free[0]:.2f}); held at "
                   f"{m[j][0]:.2f} each")
    return out
