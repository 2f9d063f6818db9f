"""The comparison library: kinds of comparison and the levels each may use.

A comparison is a list of level labels, most similar first, ending in "else"; a "null"
level (either side missing) is implicit and always first. Labels are what a user writes in
the config and what `explain`, the report and the model file show, as in Splink's
comparison library. A label parses to a Level: an operation and, for similarity levels, a
threshold (`jaro_winkler >= 0.92`, `levenshtein <= 1`).
"""

import re
from dataclasses import dataclass

from resolver import frames as F

SIMILARITY_OPS = {  # op -> (compares with, is a distance)
    "jaro_winkler": (">=", False),
    "jaro": (">=", False),
    "levenshtein": ("<=", True),
    "damerau_levenshtein": ("<=", True),
    "years_apart": ("<=", True),  # dates only: |a - b| in years (365.25 days), Splink's
}                                 # "date difference" levels
DATE_ONLY_OPS = frozenset({"years_apart"})


@dataclass(frozen=True)
class Level:
    label: str
    op: str  # exact, nickname, phonetic, initial, swapped, jaro_winkler, ..., else
    threshold: float | None = None
    target: str | None = None  # address levels: which key; "street jaro_winkler >= 0.9"


@dataclass(frozen=True)
class Kind:
    column: str | None  # the normalized column compared; None: the comparison's `field`
    ops: frozenset[str]
    default_levels: tuple[str, ...]
    null_columns: tuple[str, ...] = ()  # null when either side lacks all of these


NAME_OPS = frozenset({"exact", "phonetic", "initial", "swapped", *SIMILARITY_OPS})
KINDS: dict[str, Kind] = {
    "first_name": Kind(F.FIRST_NAME, NAME_OPS | {"nickname"}, (
        "exact", "nickname", "jaro_winkler >= 0.92", "swapped", "jaro_winkler >= 0.80",
        "initial", "else")),
    "last_name": Kind(F.LAST_NAME, NAME_OPS, (
        "exact", "jaro_winkler >= 0.92", "swapped", "jaro_winkler >= 0.80", "phonetic",
        "else")),
    "middle_name": Kind(F.MIDDLE_NAME, NAME_OPS - {"swapped"}, ("exact", "initial", "else")),
    "dob": Kind(F.DOB_TEXT, frozenset({"exact", "day_month_swapped", "same_year_month",
                                        "same_year", *SIMILARITY_OPS}), (
        "exact", "day_month_swapped", "levenshtein <= 1", "years_apart <= 1",
        "years_apart <= 10", "else")),
    "address": Kind(F.ADDRESS_KEY, frozenset({"same_unit", "same_building", "same_street",
                                              "same_zip", "same_city", "street", "else"}), (
        "same_unit", "same_building", "street jaro_winkler >= 0.90", "same_zip", "else"),
        null_columns=(F.ADDRESS_KEY, F.ZIP5, F.CITY)),
    # one edit, not Jaro-Winkler: "andrewsmith84@x" and "andrew_smith@y" share a long
    # prefix and are usually two people
    "email": Kind(F.EMAIL, frozenset({"exact", "same_local_part", *SIMILARITY_OPS}), (
        "exact", "same_local_part", "levenshtein <= 1", "else")),
    # exact: the same valid number; same_digits: the same digits, which fail validation
    # (a weaker level of its own: a typed number can be wrong in the same way twice)
    "phone": Kind(F.PHONE, frozenset({"exact", "same_digits", "last_7", *SIMILARITY_OPS}), (
        "exact", "same_digits", "last_7", "levenshtein <= 1", "else"),
        null_columns=(F.PHONE, F.PHONE_DIGITS)),
    "identifier": Kind(None, frozenset({"exact", "missing_one_side", *SIMILARITY_OPS}), (
        "exact", "damerau_levenshtein <= 1", "else")),
    # missing_one_side: "JR" against nothing is evidence of its own, not a null
    "text": Kind(None, frozenset({"exact", "missing_one_side", *SIMILARITY_OPS}), (
        "exact", "jaro_winkler >= 0.90", "else")),
}
_SIMILARITY = re.compile(r"^(?:(street)\s+)?([a-z_]+)\s*(>=|<=)\s*([0-9.]+)$")
ADDRESS_TARGETS = {"same_unit": F.ADDRESS_KEY, "same_building": F.BUILDING_KEY,
                   "same_street": F.STREET_KEY, "same_zip": F.ZIP5, "same_city": F.CITY,
                   "street": F.STREET_KEY}

OTHER_TARGETS = {"same_digits": F.PHONE_DIGITS}


def parse_level(kind: str, label: str) -> Level:
    """Parse one level label of a comparison kind; ValueError says what is allowed."""
    spec = KINDS[kind]
    text = " ".join(str(label).split())
    if text == "else":
        return Level(text, "else")
    match = _SIMILARITY.match(text)
    if match:
        target, op, sign, number = match.groups()
        if op not in SIMILARITY_OPS or SIMILARITY_OPS[op][0] != sign:
            raise ValueError(f"level {label!r}: use {_similarity_forms()}")
        if op in DATE_ONLY_OPS and kind != "dob":
            raise ValueError(f"level {label!r}: {op} compares dates; use it in dob comparisons")
        if target and kind != "address":
            raise ValueError(f"level {label!r}: 'street' levels belong to address comparisons")
        if kind == "address" and not target:
            raise ValueError(f"level {label!r}: address similarity levels name their part, "
                             "e.g. 'street jaro_winkler >= 0.9'")
        threshold = float(number)
        if not SIMILARITY_OPS[op][1] and not 0 < threshold <= 1:
            raise ValueError(f"level {label!r}: similarity thresholds lie in (0, 1]")
        if target:  # "street jaro_winkler >= 0.9": fuzzy street name within one ZIP
            return Level(text, f"street_{op}", threshold, ADDRESS_TARGETS[target])
        return Level(text, op, threshold)
    if text not in spec.ops or text == "street":
        raise ValueError(f"level {label!r} is not available for {kind} comparisons; "
                         f"use one of {sorted(o for o in spec.ops if o != 'street')} or "
                         f"{_similarity_forms()}")
    return Level(text, text, target=(ADDRESS_TARGETS if kind == "address" else
                                     OTHER_TARGETS).get(text))


def _similarity_forms() -> str:
    return ", ".join(f"'{op} {sign} N'" for op, (sign, _) in SIMILARITY_OPS.items())
