"""`resolver train` and the training step of `run`: u from random pairs, m per blocking
rule by EM (or from labels when the user has them), λ over all pairs."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.block import base_column, rule_membership, rule_pairs
from resolver.compare.compute import column_of, compare_pairs
from resolver.config import Comparison, Config
from resolver.score.dependence import with_conditional_email_u
from resolver.score.estimate import (pattern_frame, random_level_counts, train_supervised,
                                     train_unsupervised, u_from_counts, u_without_matches)
from resolver.score.household import GIVEN_NAME, PERSONAL, SHARED
from resolver.score.model import Model
from resolver.score.sampling import sample_pairs

FIELD_GROUPS = (  # columns that carry the same evidence: a rule on one biases the others
    {F.FIRST_NAME, F.FIRST_NAME_CANONICAL, F.FIRST_NAME_METAPHONE},
    {F.LAST_NAME, F.LAST_NAME_METAPHONE},
    {F.DOB_TEXT},
    {F.ADDRESS_KEY, F.BUILDING_KEY, F.STREET_KEY, F.ZIP5, F.CITY, F.STATE, F.HOUSE_NUMBER,
     F.STREET_NAME},
    {F.EMAIL, F.EMAIL_LOCAL},
    {F.PHONE, F.PHONE_LAST7, F.PHONE_DIGITS},
)




def field_group(column: str) -> frozenset[str]:
    return frozenset(next((g for g in FIELD_GROUPS if column in g), {column}))


# what the members of one household share (and a person does not share with strangers)
HOUSEHOLD_SHARED = {field_group(c) for c in (F.LAST_NAME, F.ADDRESS_KEY, F.PHONE, F.EMAIL)}


def comparisons_free_of(keys: tuple[str, ...], comparisons: tuple[Comparison, ...]) -> list[int]:
    """Indices of the comparisons a rule on these keys does not force to agree.

    A rule on names also leaves out email and suffix. Email local parts are commonly
    built from names (sandra.moore@...), so among pairs blocked on a name, strangers agree
    on email far more often than random pairs do (at 50,000 people, keeping it let them
    pass as matches and pushed m(dob else) to 0.41). And a Jr and his father share the
    whole name, so there differing suffixes are mostly father and son (keeping it gave
    "JR vs SR" a positive weight)."""
    blocked = {field_group(base_column(k)) for k in keys}
    if blocked & {field_group(F.FIRST_NAME), field_group(F.LAST_NAME)}:
        blocked |= {field_group(F.EMAIL), field_group(F.SUFFIX)}
    return [i for i, c in enumerate(comparisons) if field_group(column_of(c)) not in blocked]


def total_pairs(normalized: pl.DataFrame, link_only: bool) -> int:
    n = normalized.height
    if not link_only:
        return n * (n - 1) // 2
    sizes = normalized.group_by(F.SOURCE).len().get_column("len").to_numpy()
    return int((sizes.sum() ** 2 - (sizes ** 2).sum()) // 2)


# Each rule's training pairs and the blocking-recall estimate are taken from a uniform
# sample of the candidates this large (score/sampling.py: the same pairs whatever engine
# holds them): a rule's share of it is a uniform sample of the
# rule's pairs, and the capture-recapture counts (f1, f2, n) all scale by the sampling
# fraction, which cancels in the recall estimate.
RULE_SAMPLE_PAIRS = 3_000_000


def u_sample_size(config: Config, records: int) -> int:
    """Random pairs for u: small data needs fewer, 50 per record (at least 200k) up to
    the cap."""
    return min(config.u_sample_pairs, max(200_000, 50 * records))


def train_model(config: Config, normalized: pl.DataFrame, candidate_gammas: pl.DataFrame,
                labels: pl.DataFrame | None = None) -> Model:
    """labels: optional (uid_l, uid_r, is_match) for candidate pairs."""
    link_only = config.link_type == "link_only"
    all_pairs = total_pairs(normalized, link_only)
    with ThreadPoolExecutor(1) as pool:
        # the random pairs for u are drawn and compared in a thread while the training
        # samples are taken: each one's GIL-holding steps overlap the other's native work
        u_job = pool.submit(random_level_counts, normalized, config.comparisons,
                            u_sample_size(config, normalized.height), config.seed, link_only)
        if labels is not None and labels.height:
            model = fit_supervised(config, u_job.result(), candidate_gammas.join(
                labels, on=[F.UID_L, F.UID_R], how="inner"), all_pairs)
            if model is not None:
                return model
        sample = sample_pairs(candidate_gammas, RULE_SAMPLE_PAIRS, config.seed)
        membership = rule_membership(sample, normalized, config.blocking_rules,
                                     config.block_cap, link_only)
        rule_gammas = {rule.name: _training_sample(config, normalized, sample, membership,
                                                   rule)
                       for rule in config.training_rules}
        u_counts = u_job.result()

    def likely_captures(model: Model) -> pl.DataFrame | None:
        from resolver.report.blocking_recall import rule_captures
        from resolver.score.predict import predict

        likely = (predict(sample, model, config.comparisons, normalized)
                  .get_column(F.MATCH_PROBABILITY) >= config.match_threshold).to_numpy()
        if not likely.any():
            return None
        return rule_captures(sample.filter(pl.Series(likely)), membership[likely],
                             len(config.blocking_rules))

    return fit_unsupervised(config, u_counts, rule_gammas, candidate_gammas, all_pairs,
                            likely_captures)


def fit_supervised(config: Config, u_counts: dict[str, np.ndarray], labelled: pl.DataFrame,
                   all_pairs: int) -> Model | None:
    """m from labelled candidate gammas (with is_match); None without a labelled match."""
    if labelled.get_column("is_match").sum() == 0:
        return None
    u_random = {name: u_from_counts(c) for name, c in u_counts.items()}
    return train_supervised(labelled, labelled.get_column("is_match").to_numpy().astype(bool),
                            u_random, config.comparisons, all_pairs)


def fit_unsupervised(config: Config, u_counts: dict[str, np.ndarray],
                     rule_gammas: dict[str, pl.DataFrame], candidate_gammas: pl.DataFrame,
                     all_pairs: int, likely_captures) -> Model:
    """The unsupervised model from what training reads of the data, whichever engine read
    it: u_counts (random pairs per level), per training rule the gammas of its (sampled)
    pairs and the candidates' gammas (one row per pair, or distinct patterns with
    estimate.PATTERN_COUNT), and likely_captures(model): the rules producing each
    sampled candidate the model scores as a likely match (None when none)."""
    u_random = {name: u_from_counts(c) for name, c in u_counts.items()}
    rules = {rule.name: (rule_gammas[rule.name], comparisons_free_of(rule.keys,
                                                                     config.comparisons))
             for rule in config.training_rules}
    roles = [household_role(c) for c in config.comparisons] if config.household_class else None
    candidate_gammas = pattern_frame(candidate_gammas, config.comparisons)  # read twice
    model = train_unsupervised(rules, candidate_gammas, u_random, config.comparisons,
                               all_pairs, config.em_max_iterations, roles)
    # u again, without the matches the random pairs hold, and m and λ again with it
    u_clean = {c.name: u_without_matches(u_counts[c.name], params.m, model.prior)
               for c, params in zip(config.comparisons, model.comparisons)}
    model = train_unsupervised(rules, candidate_gammas, u_clean, config.comparisons,
                               all_pairs, config.em_max_iterations, roles)
    model = with_conditional_email_u(model, config.comparisons, [
        rules[rule.name] for rule in config.training_rules if blocks_on_names(rule)])
    return with_blocking_recall(model, config, likely_captures(model))


def blocks_on_names(rule) -> bool:
    """Whether every pair of the rule shares a first-name key and a last-name key."""
    groups = {field_group(base_column(k)) for k in rule.keys}
    return {field_group(F.FIRST_NAME), field_group(F.LAST_NAME)} <= groups


def _training_sample(config: Config, normalized: pl.DataFrame, candidate_gammas: pl.DataFrame,
                     membership: np.ndarray, rule) -> pl.DataFrame:
    """The comparison vectors of the pairs one rule produces, sampled: EM needs a sample,
    not every pair. A blocking rule's are read off the candidates (already compared); a
    training rule that blocks differently is blocked and compared here."""
    def sampled(pairs: pl.DataFrame) -> pl.DataFrame:
        return sample_pairs(pairs, config.max_training_pairs, config.seed)

    if rule in config.blocking_rules:
        bit = np.uint64(1) << np.uint64(config.blocking_rules.index(rule))
        return sampled(candidate_gammas.filter(pl.Series((membership & bit) != 0)))
    pairs = rule_pairs(normalized, rule, config.training_cap, config.link_type == "link_only")
    return compare_pairs(sampled(pairs), normalized, config.comparisons)


MIN_RECALL_FOR_PRIOR = 0.5  # the correction is at most one bit


def with_blocking_recall(model: Model, config: Config,
                         captures: pl.DataFrame | None) -> Model:
    """λ over all pairs, not only over those the blocking rules find.

    EM counts the expected matches among the candidate pairs; the matches no rule finds
    are missing from that count, so λ comes out low by the rules' recall R. R is
    estimated without labels by capture-recapture over the rules (report/
    blocking_recall.py), from the pairs this model scores as matches, and λ divided by
    it (R held at 0.5 or more). A pair's posterior is then what it would be for a random
    pair with the same comparison vector, as the model assumes.

    captures: the candidates (or a uniform sample of them) this model scores at or above
    the match threshold, each with the rules producing it (blocking_recall.rule_captures);
    None when there are none."""
    from resolver.report.blocking_recall import estimate_recall

    if captures is None:
        return model
    recall = estimate_recall(captures, [rule.name for rule in config.blocking_rules])
    factor = max(recall.estimated_recall, MIN_RECALL_FOR_PRIOR)
    trained = model.trained | {"blocking_recall_estimate": round(recall.estimated_recall, 4),
                               "prior_within_candidates": model.prior}
    return replace(model, prior=float(min(model.prior / factor, 0.5)), trained=trained)


def household_role(comparison: Comparison) -> str:
    """How the members of one household relate on this comparison (estimate.household_em)."""
    if comparison.kind in ("first_name", "middle_name"):
        return GIVEN_NAME
    return SHARED if field_group(column_of(comparison)) in HOUSEHOLD_SHARED else PERSONAL


MIN_STEWARD_LABELS = 100  # labelled candidate pairs, with MIN_EACH of either kind
MIN_EACH = 20


def labels_from_decisions(steward: pl.DataFrame, gammas: pl.DataFrame) -> pl.DataFrame | None:
    """Steward decisions as training labels, when there are enough of them to beat EM."""
    labelled = steward.join(gammas.select(F.UID_L, F.UID_R), on=[F.UID_L, F.UID_R]).select(
        F.UID_L, F.UID_R, (pl.col("decision") == "match").alias("is_match"))
    matches = int(labelled.get_column("is_match").sum())
    enough = (labelled.height >= MIN_STEWARD_LABELS and matches >= MIN_EACH
              and labelled.height - matches >= MIN_EACH)
    return labelled if enough else None


def labels_from_truth(normalized: pl.DataFrame, pairs: pl.DataFrame,
                      truth: pl.DataFrame) -> pl.DataFrame:
    """(uid_l, uid_r, is_match) for candidate pairs, from a truth file's person ids."""
    keyed = normalized.select(F.UID, F.SOURCE, F.RECORD_ID).join(
        truth.select(F.SOURCE, F.RECORD_ID, "person_id"), on=[F.SOURCE, F.RECORD_ID])
    ids = keyed.select(F.UID, "person_id")
    return (pairs.select(F.UID_L, F.UID_R)
            .join(ids.rename({F.UID: F.UID_L, "person_id": "a"}), on=F.UID_L)
            .join(ids.rename({F.UID: F.UID_R, "person_id": "b"}), on=F.UID_R)
            .select(F.UID_L, F.UID_R, (pl.col("a") == pl.col("b")).alias("is_match")))



