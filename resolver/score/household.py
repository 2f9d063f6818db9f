"""The household class of the match model.

People who live together agree on address, phone, surname and often email, which breaks
the conditional independence the two-class Fellegi–Sunter model assumes and makes family
members look like one person. A third latent class h, "another person of the same
household", is fitted by EM over all candidate pairs with m and u fixed, as in latent
class models with more than two classes (Larsen & Rubin 2001). Prediction then weighs the
match class against both alternatives (score/predict.py).
"""

import numpy as np

from resolver.score.model import MIN_PROBABILITY

def _class_log_likelihoods(patterns: np.ndarray, params: list[list[np.ndarray]]) -> np.ndarray:
    """rows: patterns, columns: classes; level 0 (null) carries no evidence."""
    out = np.zeros((len(patterns), len(params)))
    for c, per_comparison in enumerate(params):
        for j, probabilities in enumerate(per_comparison):
            g = patterns[:, j]
            present = g > 0
            out[present, c] += np.log(probabilities[g[present] - 1])
    return out


SHARED, PERSONAL, GIVEN_NAME = "shared", "personal", "given_name"


def household_em(patterns: np.ndarray, counts: np.ndarray, m: list[np.ndarray],
                 h: list[np.ndarray], u: list[np.ndarray], priors: np.ndarray,
                 roles: list[str], max_iterations: int, tolerance: float = 1e-6):
    """EM over three classes (match, household, unrelated) with m and u fixed: it
    estimates h and the class shares. m is not re-estimated here: in the candidate pairs
    the strangers who share a name (and nothing else) fit no class well, and a free m
    would absorb them, flattening every "else" weight.

    roles, per comparison: "shared" (housemates agree on it: address, phone, surname),
    "personal" (housemates mostly differ, but twins share a birthday and Jr/Sr a name
    line), "given_name" (housemates do not share given names: h stays u). Without that
    last constraint h learns from Jr/Sr that housemates share first names and from twins
    that they share birthdays, and multiplies the two into "same name, same birthday,
    same address" being a housemate. -> m, h, class priors in the candidates, iterations."""
    m, h = [x.copy() for x in m], [x.copy() for x in h]
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (returned below)
        log_joint = _class_log_likelihoods(patterns, [m, h, u]) + np.log(priors)
        log_joint -= log_joint.max(axis=1, keepdims=True)
        posterior = np.exp(log_joint)
        posterior /= posterior.sum(axis=1, keepdims=True)
        weights = posterior * counts[:, None]
        change = 0.0
        for params, column in ((h, 1),):  # m stays as the per-rule EM estimated it
            for j in range(len(params)):
                if roles[j] == GIVEN_NAME:
                    continue
                k = len(params[j])
                c = np.bincount(patterns[:, j], weights=weights[:, column], minlength=k + 1)[1:]
                new = np.maximum((c + 1e-3) / (c.sum() + 1e-3 * k), MIN_PROBABILITY)
                change = max(change, float(np.abs(new - params[j]).max()))
                params[j] = new
        new_priors = np.maximum(weights.sum(axis=0) / counts.sum(), 1e-12)
        change = max(change, float(np.abs(new_priors - priors).max()))
        priors = new_priors
        if change < tolerance:
            break
    return m, h, priors, iteration


def initial_h(m: np.ndarray, u: np.ndarray, role: str) -> np.ndarray:
    """Household members agree like one person on what they share (address, phone,
    surname, email) and like strangers on the rest (first name, birth date)."""
    if role == GIVEN_NAME:
        return u.copy()
    start = 0.7 * m + 0.3 * u if role == SHARED else 0.05 * m + 0.95 * u
    return start / start.sum()


