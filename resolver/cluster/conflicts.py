"""Strong identifiers: values two records of one person cannot disagree on.

Two dates of birth conflict unless equal, day/month swapped, or one typo apart; generational
suffixes (Jr, Sr, II, III, IV) conflict when they differ; extra identifiers (ssn,
loyalty_id) conflict unless equal or one typo apart. Given names (opt-in, `first_name`)
conflict when clearly different: not equal, not an initial, not nicknames of one another,
not a typo apart (Jaro-Winkler >= 0.80) and not swapped with the surname -- the rule that
keeps twins apart. A missing value conflicts with nothing.
"""

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from resolver.normalize.names import GENERATIONAL, are_nicknames

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
