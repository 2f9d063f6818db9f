"""Names: parse a full name in any common order and style, fold case and accents, and
add a nickname group and phonetic keys.

"Dr. Robert J. Smith Jr.", "SMITH, ROBERT J", "Juan de la Cruz", "Seán O'Brien" all parse
to prefix / first / middle / last / suffix. Surname particles (de, la, van, der, ...) stay
with the surname. The suffix is its own field: Jr and Sr are different people. Display
parts keep the original accents (title-cased when the source shouted or whispered).
Nicknames come from the `nicknames` package (Carlton Northern's curated dataset), used
one way only: a name and the names it is a nickname of.
"""

import re
from functools import lru_cache

import jellyfish

from resolver.normalize.text import fold

PREFIXES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "rev", "reverend", "fr",
    "father", "sir", "dame", "lady", "lord", "hon", "capt", "captain", "sgt", "lt", "col",
    "maj", "gen", "cpt", "sr.", "mister", "madam", "mme", "mlle", "herr", "frau", "sra",
    "srta", "don", "dona",
})
SUFFIXES = {  # folded token -> standard form
    "jr": "JR", "junior": "JR", "sr": "SR", "senior": "SR", "ii": "II", "2nd": "II",
    "iii": "III", "3rd": "III", "iv": "IV", "4th": "IV", "phd": "PHD", "md": "MD",
    "esq": "ESQ", "dds": "DDS", "cpa": "CPA", "rn": "RN", "jd": "JD", "mba": "MBA",
    "dvm": "DVM", "do": "DO",
}
GENERATIONAL = frozenset({"JR", "SR", "II", "III", "IV"})
PARTICLES = frozenset({
    "de", "del", "della", "di", "da", "dos", "das", "do", "la", "le", "van", "von", "der",
    "den", "ter", "ten", "st", "saint", "bin", "ibn", "al", "el", "mac", "af", "av", "zu",
    "y", "degli", "du",
})
NAME_PARTS = ("prefix", "first_name", "middle_name", "last_name", "suffix")
_TOKEN_CLEAN = re.compile(r"^[^\w]+|[^\w]+$", re.UNICODE)


def _key(token: str) -> str:
    return fold(token.replace(".", "")) or ""


def display(token: str | None) -> str | None:
    """Title-case a part given in all capitals or all lower case; keep mixed case."""
    if not token:
        return None
    token = token.strip(" ,;")
    if token.isupper() or token.islower():
        return "-".join(_title_word(w) for w in token.split("-"))
    return token


def _title_word(word: str) -> str:
    # O'BRIEN -> O'Brien, MCDONALD -> McDonald
    word = " ".join(w.capitalize() for w in word.split(" "))
    if "'" in word:
        head, _, tail = word.partition("'")
        return f"{head}'{tail.capitalize()}"
    if len(word) > 3 and word[:2] == "Mc":
        return "Mc" + word[2:].capitalize()
    return word


def _strip_affixes(tokens: list[str]) -> tuple[list[str], list[str], list[str]]:
    """-> (prefix tokens, remaining tokens, suffix tokens)."""
    prefix, suffix = [], []
    while len(tokens) > 1 and _key(tokens[0]) in PREFIXES:
        prefix.append(tokens.pop(0))
    while len(tokens) > 1 and _key(tokens[-1]) in SUFFIXES:
        suffix.insert(0, tokens.pop())
    return prefix, tokens, suffix


def _split_surname(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Given name tokens and surname tokens of "Given [Middle] [particles] Family"."""
    if len(tokens) <= 1:
        return tokens, []
    start = len(tokens) - 1
    while start > 1 and _key(tokens[start - 1]) in PARTICLES:
        start -= 1
    return tokens[:start], tokens[start:]


def parse_full_name(text: str) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """-> token lists (prefix, first, middle, last, suffix) with original spelling."""
    text = " ".join(text.replace("\u00a0", " ").split())
    head, comma, tail = text.partition(",")
    tail_tokens = tail.split()
    if comma and tail_tokens and all(_key(t) in SUFFIXES for t in tail_tokens):
        # "Robert Smith, Jr." -- the comma only sets off the suffix
        text, comma = f"{head} {tail}", ""
    if comma:
        # "SMITH, ROBERT J" / "Smith Jr., Dr. Robert"
        family = [t for t in head.split() if t]
        given = [t for t in tail.replace(",", " ").split() if t]
        _, family, suffix = _strip_affixes(family)
        prefix, given, suffix2 = _strip_affixes(given)
        suffix += suffix2
    else:
        prefix, rest, suffix = _strip_affixes(text.replace(",", " ").split())
        given, family = _split_surname(rest)
    first, middle = (given[:1], given[1:]) if given else ([], [])
    return prefix, first, middle, family, suffix


def parse_split_name(first: str | None, middle: str | None, last: str | None,
                     suffix: str | None, prefix: str | None):
    """Split fields still carry extra parts: "Dr. Robert J" in first, "Smith Jr" in last."""
    p_tokens, f_tokens, _ = _strip_affixes((first or "").split())
    if not f_tokens and p_tokens:  # a lone "Dr" is a first name only if nothing else is
        f_tokens, p_tokens = p_tokens, []
    _, l_tokens, s_tokens = _strip_affixes((last or "").split())
    first_tokens, extra_middle = f_tokens[:1], f_tokens[1:]
    middle_tokens = (middle or "").split() or extra_middle
    return ((prefix or "").split() or p_tokens, first_tokens, middle_tokens, l_tokens,
            (suffix or "").split() or s_tokens)


def name_parts(tokens: tuple[list[str], ...]) -> tuple:
    """Token lists -> (folded parts..., display parts..., status)."""
    prefix, first, middle, last, suffix = tokens
    suffix_std = " ".join(SUFFIXES.get(_key(t), (fold(t) or "").upper()) for t in suffix)
    folded = (
        fold(" ".join(prefix).replace(".", "")),
        fold(" ".join(first)),
        fold(" ".join(middle)),
        fold(" ".join(last)),
        suffix_std or None,
    )
    shown = tuple(display(" ".join(t)) for t in (prefix, first, middle, last)) + (
        suffix_std or None,)
    status = "ok" if folded[1] and folded[3] else ("missing" if not any(folded) else "partial")
    return (*folded, *shown, status)


@lru_cache(maxsize=1)
def _namer():
    from nicknames import NickNamer

    return NickNamer()


@lru_cache(maxsize=65536)
def formal_names(token: str) -> frozenset[str]:
    """The formal names a name is a nickname of (bob -> {robert, ...}); empty if none."""
    return frozenset(_namer().canonicals_of(token))


def nickname_group(first: str | None) -> str | None:
    """The formal name a first name stands for, for blocking and the nickname level:
    the name itself when it is formal, else the formal name with most nicknames (bob ->
    robert, not bert), ties alphabetical."""
    if not first:
        return None
    token = first.split(" ")[0]
    formal = formal_names(token)
    if not formal:
        return token
    return min(formal, key=lambda f: (-len(_namer().nicknames_of(f)), f))


def nickname_groups(name: str) -> list[str]:
    """The name and the formal names it is a nickname of: two first names are nickname-
    equivalent when these share a member (bob ~ robert, bob ~ rob)."""
    token = name.split(" ")[0]
    return sorted(formal_names(token) | {token})


def are_nicknames(a: str, b: str) -> bool:
    return bool(set(nickname_groups(a)) & set(nickname_groups(b)))


def metaphone(text: str | None) -> str | None:
    if not text:
        return None
    return jellyfish.metaphone(text.replace(" ", "")) or None
