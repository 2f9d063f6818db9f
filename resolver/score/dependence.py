"""Evidence that depends on other evidence: an email address built from the name.

Fellegi–Sunter multiplies the comparisons' likelihood ratios as if they were independent
given the class. Email addresses are commonly made of the name (mary.smith@, msmith@,
smith.mary@), so among strangers who share a name, sharing an email is far more common
than among random strangers: u(email agrees) measured on random pairs (about 3e-5) is the
wrong denominator for a pair that already agrees on first and last name. Counting both at
full weight counts the name twice, and in a large file two "Mary Smith" records that share
mary_smith@ and nothing else pass as one person.

So the model holds a second u for email: its levels' distribution among non-matching
pairs whose first and last names both agree, exactly or closely (a typo, a nickname, an
initial, the two swapped: near-namesakes share name-built emails as namesakes do),
estimated from the data. The pairs of a
training rule that blocks on both names are scored by the comparisons that rule leaves
free (dates, addresses, phones: what says "same person" without the name); each pair
counts toward the non-matches by its posterior chance of being one. Data where emails are
personal gives a small conditional u and changes little; data where namesakes share
name-built emails gives a large one and email counts for what it adds to the name.
Prediction uses it for pairs whose names so agree (score/predict.py), where it replaces
the email's term-frequency adjustment too: there the value's frequency is mostly the
name's, already counted. Applied to exact names alone, it left near-namesakes weighing a
shared mary_smith@ at its random-pair u: at 3M generated records 90% of the false links
the email rule made were such pairs.
"""

from dataclasses import replace

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.config import Comparison
from resolver.score.estimate import _log_likelihoods, _posterior, gamma_patterns
from resolver.score.model import MIN_PROBABILITY, Model

# pseudo-pairs at the random-pair u: with few name-agreeing strangers in the training
# sample the conditional u stays near the plain one instead of swinging on a handful
PSEUDO_PAIRS = 100.0
EXACT = 1  # gamma of a comparison's first level
MAX_ITERATIONS = 200


def name_email(comparisons: tuple[Comparison, ...]) -> tuple[int, int, int] | None:
    """Indices of the first-name, last-name and email comparisons, when all three exist."""
    kinds = {}
    for i, c in enumerate(comparisons):
        kinds.setdefault(c.kind, i)
    if not {"first_name", "last_name", "email"} <= kinds.keys():
        return None
    return kinds["first_name"], kinds["last_name"], kinds["email"]


def _close(comparison: Comparison) -> pl.Expr:
    """The pair's values agree at some level: not null (0), not the last level, "else"
    (every comparison ends in it; config.py checks)."""
    gamma = pl.col(F.gamma(comparison.name))
    return (gamma >= EXACT) & (gamma < len(comparison.levels))


def names_agree(comparisons: tuple[Comparison, ...]) -> pl.Expr | None:
    """Pairs whose first and last names both agree at some level, exactly or closely (a
    typo, a nickname, an initial, the two swapped): where the conditional u applies. An
    email built from the name is as common among such near-namesakes as among exact ones;
    a typo in the name does not make it personal."""
    found = name_email(comparisons)
    if found is None:
        return None
    first, last, _ = (comparisons[i] for i in found)
    return _close(first) & _close(last)


def conditional_email_u(model: Model, comparisons: tuple[Comparison, ...],
                        samples: list[tuple[pl.DataFrame, list[int]]]) -> list[float] | None:
    """u of the email levels among non-matches whose names both agree (names_agree).

    samples: (comparison vectors, comparisons the rule leaves free) of the training rules
    that block on both names; the pairs whose names both agree with an email on both
    sides take part. EM with m fixed: a pair's chance of being a match weighs the
    free comparisons and the email itself under the current u, and u_k is the expected
    strangers at level k over all expected strangers, with PSEUDO_PAIRS at the
    random-pair u. (Leaving the email out of that chance would count as strangers the
    matches that the free comparisons cannot see, most of whom share the email.)"""
    found = name_email(comparisons)
    if found is None or not samples:
        return None
    first, last, email = found
    condition = names_agree(comparisons) & (pl.col(F.gamma(comparisons[email].name)) > 0)
    u_random = np.asarray(model.comparisons[email].u_random)
    m = [np.asarray(c.m) for c in model.comparisons]
    u = [np.asarray(c.u) for c in model.comparisons]
    k = len(u_random)
    data = []
    for gammas, free in samples:
        agreeing = gammas.filter(condition)
        active = [j for j in free if j not in (first, last, email)]
        if agreeing.height == 0 or not active:
            continue
        patterns, counts = gamma_patterns(agreeing, comparisons)
        data.append((*_log_likelihoods(patterns, m, u, active), patterns[:, email] - 1,
                     counts))
    if not data:
        return None
    # EM for u (and the share of matches) with m fixed: each pair's chance of being a
    # match weighs the free comparisons and the email itself under the current u
    m_email = np.asarray(m[email])
    u_given = np.full(k, 1.0 / k)
    prior = 0.5
    for _ in range(MAX_ITERATIONS):
        levels, matches, total = np.zeros(k), 0.0, 0.0
        for log_m, log_u, level, counts in data:
            p = _posterior(log_m + np.log(m_email[level]), log_u + np.log(u_given[level]),
                           prior)
            levels += np.bincount(level, weights=counts * (1.0 - p), minlength=k)
            matches += float((counts * p).sum())
            total += float(counts.sum())
        new = (levels + PSEUDO_PAIRS * u_random) / (levels.sum() + PSEUDO_PAIRS)
        new = np.maximum(new, MIN_PROBABILITY)
        change = float(np.abs(new - u_given).max())
        u_given, prior = new, min(max(matches / total, 1e-6), 1 - 1e-6)
        if change < 1e-7:
            break
    return [float(x) for x in u_given]


def with_conditional_email_u(model: Model, comparisons: tuple[Comparison, ...],
                             samples: list[tuple[pl.DataFrame, list[int]]]) -> Model:
    found = name_email(comparisons)
    u_given_names = conditional_email_u(model, comparisons, samples)
    if found is None or u_given_names is None:
        return model
    params = list(model.comparisons)
    params[found[2]] = replace(params[found[2]], u_given_names=u_given_names)
    return replace(model, comparisons=params)
