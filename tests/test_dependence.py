"""The email's u among strangers who share a name (score/dependence.py): recovered from
simulated comparison vectors with a known rate, used by prediction only where both names
agree, and kept by the model file."""

import math

import numpy as np
import polars as pl
import pytest

from resolver import frames as F
from resolver.config import Comparison
from resolver.score.dependence import PSEUDO_PAIRS, conditional_email_u
from resolver.score.model import ComparisonParams, Model, load_model
from resolver.score.predict import TermTables, predict

COMPARISONS = (
    Comparison("first_name", "first_name", ("exact", "else")),
    Comparison("last_name", "last_name", ("exact", "else")),
    Comparison("dob", "dob", ("exact", "else")),
    Comparison("phone", "phone", ("exact", "else")),
    Comparison("email", "email", ("exact", "else")),
)
M = {"first_name": [0.9, 0.1], "last_name": [0.9, 0.1], "dob": [0.9, 0.1],
     "phone": [0.8, 0.2], "email": [0.85, 0.15]}
U = {"first_name": [0.01, 0.99], "last_name": [0.01, 0.99], "dob": [0.001, 0.999],
     "phone": [0.0001, 0.9999], "email": [3e-5, 1 - 3e-5]}


def _model(u_given_names=None) -> Model:
    return Model(prior=1e-5, comparisons=[
        ComparisonParams(c.name, c.kind, list(c.levels), M[c.name], U[c.name], U[c.name],
                         u_given_names=u_given_names if c.name == "email" else None)
        for c in COMPARISONS])


def _name_blocked_sample(n: int, match_share: float, stranger_email_rate: float,
                         seed: int) -> pl.DataFrame:
    """Comparison vectors of pairs blocked on both names: matches draw every level from m,
    strangers from u, except that strangers share the email at the given rate."""
    rng = np.random.default_rng(seed)
    match = rng.random(n) < match_share
    columns = {}
    for c in COMPARISONS:
        if c.name in ("first_name", "last_name"):
            columns[F.gamma(c.name)] = np.ones(n, dtype=np.int8)  # blocked: they agree
            continue
        stranger_exact = stranger_email_rate if c.name == "email" else U[c.name][0]
        exact = np.where(match, rng.random(n) < M[c.name][0], rng.random(n) < stranger_exact)
        columns[F.gamma(c.name)] = np.where(exact, 1, 2).astype(np.int8)
    return pl.DataFrame(columns)


@pytest.mark.parametrize("rate", [0.002, 0.05, 0.2])
def test_the_strangers_email_rate_is_recovered(rate):
    # the pairs' free comparisons (dob, phone) tell matches from strangers; email is left
    # out of that, so the share of strangers agreeing on it is what the data holds
    sample = _name_blocked_sample(200_000, 0.3, rate, seed=11)
    free = [2, 3]  # dob, phone: what a rule on both names leaves free besides email
    u = conditional_email_u(_model(), COMPARISONS, [(sample, free)])
    assert u is not None
    assert u[0] == pytest.approx(rate, rel=0.15, abs=0.0005)
    assert sum(u) == pytest.approx(1.0)


def test_few_pairs_stay_near_the_random_pair_u():
    sample = _name_blocked_sample(20, 0.0, 0.5, seed=3)
    u = conditional_email_u(_model(), COMPARISONS, [(sample, [2, 3])])
    # 20 strangers against PSEUDO_PAIRS pseudo-pairs at u = 3e-5
    assert u[0] < (20 * 0.5 + 5) / (20 + PSEUDO_PAIRS)
    assert conditional_email_u(_model(), COMPARISONS, []) is None


def _pairs(rows: list[tuple]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=[F.gamma(c.name) for c in COMPARISONS], orient="row")
    return frame.with_columns(pl.all().cast(pl.Int8)).with_columns(
        pl.Series(F.UID_L, range(len(rows)), pl.UInt32),
        pl.Series(F.UID_R, range(1, len(rows) + 1), pl.UInt32))


def test_prediction_uses_it_only_where_both_names_agree():
    given = [0.02, 0.98]
    tables = TermTables({}, None)
    pairs = _pairs([(1, 1, 0, 0, 1),   # both names agree, email agrees
                    (1, 2, 0, 0, 1),   # surname differs: email counts as usual
                    (1, 1, 0, 0, 2)])  # both names agree, email differs
    plain = predict(pairs, _model(), COMPARISONS, tables)
    conditioned = predict(pairs, _model(given), COMPARISONS, tables)
    mw = F.partial_weight("email")
    assert conditioned.get_column(mw).to_list() == pytest.approx(
        [math.log2(0.85 / 0.02), math.log2(0.85 / 3e-5), math.log2(0.15 / 0.98)])
    assert plain.get_column(mw).to_list() == pytest.approx(
        [math.log2(0.85 / 3e-5), math.log2(0.85 / 3e-5), math.log2(0.15 / (1 - 3e-5))])
    # the total moves by exactly the email's change
    delta = (conditioned.get_column(F.MATCH_WEIGHT) - plain.get_column(F.MATCH_WEIGHT))
    assert delta.to_list() == pytest.approx(
        [math.log2(3e-5 / 0.02), 0.0, math.log2((1 - 3e-5) / 0.98)])


def test_close_names_count_as_agreeing_and_null_or_else_do_not():
    """Near-namesakes (a first name a typo or a nickname away) share name-built emails as
    namesakes do: the conditional u applies to any agreeing level of both names, not to
    a name that is missing or disagrees."""
    comparisons = (Comparison("first_name", "first_name", ("exact", "nickname", "else")),
                   *COMPARISONS[1:])
    model = Model(prior=1e-5, comparisons=[
        ComparisonParams("first_name", "first_name", ["exact", "nickname", "else"],
                         [0.8, 0.1, 0.1], [0.01, 0.001, 0.989], [0.01, 0.001, 0.989]),
        *_model([0.02, 0.98]).comparisons[1:]])
    pairs = _pairs([(1, 1, 0, 0, 1),   # exact names
                    (2, 1, 0, 0, 1),   # a nickname: close
                    (3, 1, 0, 0, 1),   # first names differ
                    (0, 1, 0, 0, 1)])  # one first name missing
    scored = predict(pairs, model, comparisons, TermTables({}, None))
    assert scored.get_column(F.partial_weight("email")).to_list() == pytest.approx(
        [math.log2(0.85 / 0.02)] * 2 + [math.log2(0.85 / 3e-5)] * 2)


def test_the_model_file_keeps_it(tmp_path):
    model = _model([0.02, 0.98])
    model.save(tmp_path / "model.json")
    loaded = load_model(tmp_path / "model.json", COMPARISONS)
    assert loaded.comparisons[4].u_given_names == [0.02, 0.98]
    assert all(c.u_given_names is None for c in loaded.comparisons[:4])
    _model().save(tmp_path / "plain.json")
    assert load_model(tmp_path / "plain.json", COMPARISONS).comparisons[4].u_given_names is None
