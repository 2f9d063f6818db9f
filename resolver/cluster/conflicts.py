"""Strong identifiers: values two records of one person cannot disagree on.

Two dates of birth conflict unless equal, day/month swapped, or one typo apart; generational
suffixes (Jr, Sr, II, III, IV) conflict when they differ; extra identifiers (ssn,
loyalty_id) conflict unless equal or one typo apart. A missing value conflicts with nothing.
"""

from rapidfuzz.distance import DamerauLevenshtein

from resolver.normalize.names import GENERATIONAL


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


def checker(identifier: str):
    return {"dob": dobs_conflict, "suffix": suffixes_conflict}.get(identifier,
                                                                    identifiers_conflict)
