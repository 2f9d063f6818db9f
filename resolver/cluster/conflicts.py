"""Strong identifiers: when two records' values say they are not one person.

What counts as a conflict comes from the trained model: a pair of values conflicts when
the comparison level it falls in is one that true matches almost never show and that
counts strongly against a match -- m at most 1 - the match threshold (the share of errors
a match decision accepts) and a weight below -(logit(match) - logit(review)), enough on
its own to take a pair from the match threshold to below review. Where the dates of one
person often differ by a year (m of `same_year` well above that share), a year's
difference is evidence, weighed by the model, not a conflict; where they almost never
differ, it is a conflict.

Two identifiers keep a meaning of their own. Generational suffixes (Jr, Sr, II, III, IV)
conflict whenever both carry one and they differ: a father and son are two people
whatever the data's error rates. Given names (opt-in, `first_name`) conflict, where the
model finds clearly different given names near-certain evidence of two people, when
clearly different: not equal, not an initial, not nicknames of one another, not a typo
apart (Jaro-Winkler >= 0.80) and not swapped with the surname -- the rule that keeps
twins apart. A missing value conflicts with nothing.

Without a model (or a comparison for the identifier) the fixed rules below apply: dates
conflict unless equal, day/month swapped or one typo apart; extra identifiers unless
equal or one typo apart.
"""

import datetime as dt
import math
from collections.abc import Callable

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from resolver import frames as F
from resolver.compare.compute import DAYS_PER_YEAR, SCORERS, column_of, levels_of
from resolver.compare.library import SIMILARITY_OPS
from resolver.config import Comparison
from resolver.normalize.names import GENERATIONAL, are_nicknames
from resolver.score.model import ComparisonParams, Model

NAME_SEPARATOR = "|"  # first_name values carry the surname: "robert|smith"


def dobs_conflict(a: str, b: str) -> bool:
    if a == b:
        return False
    swapped = a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]
    return not swapped and DamerauLevenshtein.distance(a, b) > 1


def suffixes_conflict(a: str, b: str) -> bool:
    ga = {t for t in a.split() if t in GENERATIONAL}
    gb = {t for t in b.split() if t in GENERATIONAL}
    return bool(ga and gb and ga != gb)


def identifiers_conflict(a: str, b: str) -> bool:
    return a != b and DamerauLevenshtein.distance(a, b) > 1


def first_names_conflict(a: str, b: str) -> bool:
    first_a, _, last_a = a.partition(NAME_SEPARATOR)
    first_b, _, last_b = b.partition(NAME_SEPARATOR)
    if first_a == first_b or len(first_a) < 2 or len(first_b) < 2:
        return False
    if first_a in (last_b, first_b) or first_b == last_a:
        return False
    if JaroWinkler.normalized_similarity(first_a, first_b) >= 0.80:
        return False
    return not are_nicknames(first_a, first_b)


def checker(identifier: str):
    return {"dob": dobs_conflict, "suffix": suffixes_conflict,
            "first_name": first_names_conflict}.get(identifier, identifiers_conflict)


# the column each strong identifier's values come from (cluster/strong.py)
IDENTIFIER_COLUMNS = {"dob": F.DOB_TEXT, "suffix": F.SUFFIX, "first_name": F.FIRST_NAME}


def _days_apart(a: str, b: str) -> int | None:
    """|a - b| in days for two YYYYMMDD texts; None when either is no calendar date."""
    try:
        return abs((dt.datetime.strptime(a, "%Y%m%d") - dt.datetime.strptime(b, "%Y%m%d")).days)
    except ValueError:
        return None


def value_level(comparison: Comparison, a: str, b: str) -> int | None:
    """The comparison level (1-based, as gamma) two non-null values fall in, for
    comparisons of one column; None when a level needs other columns (names)."""
    for i, level in enumerate(levels_of(comparison), start=1):
        op = level.op
        if op == "else":
            return i
        if op == "exact":
            hit = a == b
        elif op == "missing_one_side":
            hit = False
        elif op == "day_month_swapped":
            hit = a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]
        elif op == "same_year_month":
            hit = a[:6] == b[:6]
        elif op == "same_year":
            hit = a[:4] == b[:4]
        elif op == "years_apart":
            days = _days_apart(a, b)
            hit = days is not None and days <= level.threshold * DAYS_PER_YEAR
        elif op in SIMILARITY_OPS:
            score = SCORERS[op](a, b)
            hit = score <= level.threshold if SIMILARITY_OPS[op][1] else score >= level.threshold
        else:
            return None
        if hit:
            return i
    return len(comparison.levels)


def conflict_levels(params: ComparisonParams, match_threshold: float,
                    review_threshold: float) -> set[int]:
    """Levels (1-based) that true matches almost never show and that weigh strongly
    against a match, by the thresholds' own measure of "almost never" and "strongly"."""
    floor = _logit(match_threshold) - _logit(review_threshold)
    return {i for i, (m, w) in enumerate(zip(params.m, params.weights()[1:]), start=1)
            if m <= 1 - match_threshold and w <= -floor}


def _logit(p: float) -> float:
    return math.log2(p / (1 - p))


def model_checkers(model: Model, comparisons: tuple[Comparison, ...],
                   identifiers: tuple[str, ...], match_threshold: float,
                   review_threshold: float) -> dict[str, Callable[[str, str], bool]]:
    """identifier -> conflicts(a, b), judged by the levels of the model's comparison on
    the identifier's column; the fixed rule where there is no such comparison."""
    by_column = {column_of(c): (c, p) for c, p in zip(comparisons, model.comparisons)}
    checks = {}
    for name in identifiers:
        found = by_column.get(IDENTIFIER_COLUMNS.get(name, name))
        if found is None or name == "suffix":  # Jr vs Sr: a contradiction, not a rate
            checks[name] = checker(name)
            continue
        comparison, params = found
        bad = conflict_levels(params, match_threshold, review_threshold)
        if name == "first_name":
            # a user who lists first_name declares that one person's records do not carry
            # clearly different given names (twins and siblings are the people it keeps
            # apart); m of "else" cannot decide it: EM over name-blocked pairs counts
            # family members as matches and puts it near the cut-off either way
            checks[name] = first_names_conflict
        else:
            checks[name] = _by_level(comparison, bad)
    return checks


def _never(a: str, b: str) -> bool:
    return False


class _ByLevel:
    """conflicts(a, b) by the comparison level of the two values; an object, not a
    closure, so clustering can send it to a worker process."""

    def __init__(self, comparison: Comparison, bad: set[int]):
        self.comparison, self.bad = comparison, frozenset(bad)
        self._cache: dict[tuple[str, str], bool] = {}

    def __call__(self, a: str, b: str) -> bool:
        known = self._cache.get((a, b))
        if known is None:
            known = a != b and value_level(self.comparison, a, b) in self.bad
            if len(self._cache) < 1 << 16:
                self._cache[(a, b)] = known
        return known

    def __getstate__(self) -> dict:
        return {"comparison": self.comparison, "bad": self.bad, "_cache": {}}


def _by_level(comparison: Comparison, bad: set[int]) -> Callable[[str, str], bool]:
    return _ByLevel(comparison, bad) if bad else _never
