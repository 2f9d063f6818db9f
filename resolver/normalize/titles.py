"""Titles, honorifics, suffixes and peerage designations in names, and the position rules
that tell them from names: "Dr", "Sir", "Jr", "MD", "2nd Baronet", "1st Baron Clifford of
Chudleigh". Words that are titles or suffixes and also names (Don, Hon, Earl, Do, Md) are
read by where they stand: a title only before a given name followed by a surname, a suffix
only after a surname that follows a given name, a rank only next to an ordinal or before
"of".
"""

import re
from functools import lru_cache

from resolver.normalize.text import fold

PREFIXES = frozenset({  # titles and honorifics: never a given name or surname
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "rev", "revd", "reverend",
    "fr", "sir", "dame", "lady", "lord", "capt", "captain", "sgt", "lt", "col", "maj", "gen",
    "cpt", "mister", "madam", "mme", "mlle", "herr", "frau", "sra", "srta", "rt",
    "honourable", "honorable", "right", "venerable", "ven", "rabbi", "sheikh",
})
# titles that are not also short forms of a given name (Sra ~ Sara, Gen ~ Genevieve, Fr ~
# Fred): alone in a first-name field they are still a title, and no name is given
LONE_TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "rev", "revd", "reverend",
    "sir", "dame", "lady", "lord", "mister", "madam", "capt", "captain", "sgt", "rt",
    "honourable", "honorable", "venerable",
})
TITLE_SURNAMES = frozenset({"lord", "dame", "captain"})  # Walter Lord: alone, a surname
# titles that are also given names (Don Johnson, Dona Harris, Hon Lee): a title only
# before a given name that is followed by a surname
AMBIGUOUS_PREFIXES = frozenset({"don", "dona", "hon", "father", "judge", "major", "dom", "sr"})
SUFFIXES = {  # folded token -> standard form
    "jr": "JR", "junior": "JR", "sr": "SR", "senior": "SR", "ii": "II", "2nd": "II",
    "iii": "III", "3rd": "III", "iv": "IV", "4th": "IV", "phd": "PHD", "md": "MD",
    "esq": "ESQ", "dds": "DDS", "cpa": "CPA", "rn": "RN", "jd": "JD", "mba": "MBA",
    "dvm": "DVM", "do": "DO", "kt": "KT", "kg": "KG", "kbe": "KBE", "obe": "OBE",
    "mbe": "MBE", "cbe": "CBE", "vc": "VC", "qc": "QC", "kc": "KC", "mp": "MP", "frs": "FRS",
    "1st": "1ST", "5th": "5TH", "6th": "6TH", "7th": "7TH", "8th": "8TH", "9th": "9TH",
    "10th": "10TH", "11th": "11TH", "12th": "12TH",
    # peerage and baronetcy: "Sir Edmund Loder, 2nd Baronet", "1st Baron Clifford"
    "baronet": "BT", "bt": "BT", "bart": "BT", "baronetess": "BT",
}
# suffixes that are also surnames (Anh Do, Kim Md): a suffix only after a surname that
# follows a given name
AMBIGUOUS_SUFFIXES = frozenset({"do", "md", "rn", "jd", "kt", "kg", "mp", "vc", "kc", "qc",
                                "mba", "senior", "junior"})
# suffixes no surname is spelt as: alone in a surname field they are still a suffix
# (Senior, Junior and Mba are surnames too)
LONE_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# ranks of nobility that are also names (Earl Jones, Duke Ellington, Sacha Baron Cohen):
# a title only next to an ordinal or before "of" ("1st Baron", "Earl of Derby")
PEERAGE_RANKS = frozenset({"baron", "baroness", "earl", "viscount", "viscountess",
                           "marquess", "marquis", "marchioness", "duke", "duchess", "count",
                           "countess", "lord", "lady"})
_ORDINAL = re.compile(r"^(\d{1,2}(st|nd|rd|th)|first|second|third|fourth|fifth)$")
GENERATIONAL = frozenset({"JR", "SR", "II", "III", "IV"})


@lru_cache(maxsize=65536)  # a token is looked up by several position rules
def token_key(token: str) -> str:
    return fold(token.replace(".", "")) or ""


def is_ordinal(key: str) -> bool:
    return bool(_ORDINAL.match(key))


def never_a_name(key: str) -> bool:
    """Title words no given name or surname is made of: "Baronet", "Bt.", "1st"."""
    return SUFFIXES.get(key) == "BT" or is_ordinal(key)


def is_prefix(tokens: list[str], i: int) -> bool:
    """tokens[i] is a title: a plain one while a name follows it, an ambiguous one (Don,
    Hon) only while a given name and a surname follow."""
    key = token_key(tokens[i])
    after = len(tokens) - i - 1
    if key == "the":  # "The Rt Hon ...", "The Reverend ..."
        return after >= 2 and is_prefix(tokens, i + 1)
    return (key in PREFIXES and after >= 1) or (key in AMBIGUOUS_PREFIXES and after >= 2)


def is_suffix(tokens: list[str], i: int, before_needed: int,
               ambiguous_before: int = 2) -> bool:
    """tokens[i] (at the end) is a suffix: a plain one after at least `before_needed`
    tokens, an ambiguous one (Do, Md) only after a surname (in a full name: after a given
    name and a surname)."""
    key = token_key(tokens[i])
    if never_a_name(key):
        return True
    if key not in SUFFIXES:
        return False
    return i >= (ambiguous_before if key in AMBIGUOUS_SUFFIXES else before_needed)


def designation_start(tokens: list[str]) -> int:
    """Where a peerage or baronetcy designation starts ("2nd Baronet", "1st Baron
    Clifford of Chudleigh", "of Chudleigh"), after at least one name token; len(tokens)
    when there is none."""
    for i in range(1, len(tokens)):
        key, nxt = token_key(tokens[i]), (token_key(tokens[i + 1]) if i + 1 < len(tokens) else "")
        prev = token_key(tokens[i - 1])
        if (is_ordinal(key) and (nxt in PEERAGE_RANKS or SUFFIXES.get(nxt) == "BT"))\
                or SUFFIXES.get(key) == "BT" and i + 1 < len(tokens) \
                or key in PEERAGE_RANKS and (nxt == "of" or is_ordinal(prev)) \
                or key == "of" and nxt:
            return i
    return len(tokens)


def designation_parts(tokens: list[str]) -> tuple[list[str], str | None]:
    """A designation -> (its title words: ordinal, rank, baronetcy; the name it carries:
    the place after "of", else the word after the rank)."""
    titles, named = [], None
    for i, token in enumerate(tokens):
        key = token_key(token)
        if never_a_name(key) or key in PEERAGE_RANKS:
            titles.append(token)
        elif key == "of":
            named = " ".join(tokens[i + 1:]) or named
            break
        elif named is None:
            named = token
    return titles, named


def strip_affixes(tokens: list[str]) -> tuple[list[str], list[str], list[str]]:
    """-> (prefix tokens, remaining tokens, suffix tokens), by position: titles before a
    name, suffixes after a surname that follows a given name."""
    prefix, suffix = [], []
    while tokens and is_prefix(tokens, 0):
        prefix.append(tokens.pop(0))
    while tokens and is_suffix(tokens, len(tokens) - 1, 1):
        suffix.insert(0, tokens.pop())
    return prefix, tokens, suffix


def split_designation(tokens: list[str]) -> tuple[list[str], list[str]]:
    """One split field -> (name tokens, title words). A field may hold nothing but a
    title word ("1st", "Bt.", "of"); a rank alone ("Earl") stays: it is also a name."""
    kept, titles = [], []
    for i, token in enumerate(tokens):
        key = token_key(token)
        nxt = token_key(tokens[i + 1]) if i + 1 < len(tokens) else ""
        prev = token_key(tokens[i - 1]) if i else ""
        if never_a_name(key) or key == "of" or (
                key in PEERAGE_RANKS and (nxt == "of" or is_ordinal(prev))):
            if key != "of":
                titles.append(token)
        else:
            kept.append(token)
    return kept, titles
