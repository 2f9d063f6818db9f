"""Names: parse a full name in any common order and style, fold case and accents, and
add a nickname group and phonetic keys.

"Dr. Robert J. Smith Jr.", "SMITH, ROBERT J", "Juan de la Cruz", "Seán O'Brien" all parse
to prefix / first / middle / last / suffix; titles and suffixes are told from names by
position (normalize/titles.py). Surname particles (de, la, van, der, ...) stay
with the surname. The suffix is its own field: Jr and Sr are different people. Display
parts keep the original accents (title-cased when the source shouted or whispered).
Nicknames come from the `nicknames` package (Carlton Northern's curated dataset), with
judgement: see `are_nicknames`.
"""

import re
from functools import lru_cache

import jellyfish

from resolver.normalize.text import fold
from resolver.normalize.titles import (GENERATIONAL, LONE_SUFFIXES, LONE_TITLES, PREFIXES,
                                       SUFFIXES, TITLE_SURNAMES, designation_parts,
                                       designation_start, is_ordinal, is_prefix, is_suffix,
                                       split_designation, strip_affixes, token_key)

PARTICLES = frozenset({
    "de", "del", "della", "di", "da", "dos", "das", "do", "la", "le", "van", "von", "der",
    "den", "ter", "ten", "st", "saint", "bin", "ibn", "al", "el", "mac", "af", "av", "zu",
    "y", "degli", "du",
})
NAME_PARTS = ("prefix", "first_name", "middle_name", "last_name", "suffix")
_TOKEN_CLEAN = re.compile(r"^[^\w]+|[^\w]+$", re.UNICODE)


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


def _split_surname(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Given name tokens and surname tokens of "Given [Middle] [particles] Family"."""
    if len(tokens) <= 1:
        return tokens, []
    start = len(tokens) - 1
    while start > 1 and token_key(tokens[start - 1]) in PARTICLES:
        start -= 1
    return tokens[:start], tokens[start:]


def parse_full_name(text: str) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """-> token lists (prefix, first, middle, last, suffix) with original spelling."""
    text = " ".join(text.replace("\u00a0", " ").split())
    head, comma, tail = text.partition(",")
    tail_tokens = tail.replace(",", " ").split()
    designation: list[str] = []
    if comma and tail_tokens and all(token_key(t) in SUFFIXES for t in tail_tokens):
        # "Robert Smith, Jr.", "Sir Ned Loder, Baronet": the comma sets off a suffix
        text, comma = f"{head} {tail}", ""
    elif comma and tail_tokens and designation_start(["_", *tail_tokens]) == 1:
        # "Edmund Loder, 2nd Baronet", "Edward Stanley, 14th Earl of Derby"
        text, comma = head, ""
        designation = tail_tokens
    if comma:
        # "SMITH, ROBERT J" / "Smith Jr., Dr. Robert"
        family = [t for t in head.split() if t]
        given = [t for t in tail.replace(",", " ").split() if t]
        _, family, suffix = strip_affixes(family)
        prefix, given, suffix2 = strip_affixes(given)
        suffix += suffix2
        first, middle = (given[:1], given[1:]) if given else ([], [])
        return prefix, first, middle, family, suffix
    tokens = text.replace(",", " ").split()
    prefix = []
    while tokens and is_prefix(tokens, 0):
        prefix.append(tokens.pop(0))
    start = designation_start(tokens)
    tokens, designation = tokens[:start], tokens[start:] + designation
    titles, named = designation_parts(designation) if designation else ([], None)
    # an ordinal inside a name ("Thomas 1st Chudleigh") is a title word, not a name
    titles = [t for t in tokens if is_ordinal(token_key(t))] + titles
    tokens = [t for t in tokens if not is_ordinal(token_key(t))]
    _, rest, suffix = strip_affixes(tokens)
    given, family = _split_surname(rest)
    if not family and named and given:  # "Thomas of Chudleigh": the place is his surname
        family = named.split()
    first, middle = (given[:1], given[1:]) if given else ([], [])
    return prefix, first, middle, family, suffix + [t for t in titles if t]


def parse_split_name(first: str | None, middle: str | None, last: str | None,
                     suffix: str | None, prefix: str | None):
    """Split fields still carry extra parts: "Dr. Robert J" in first, "Smith Jr" in last,
    "Sir" or "1st" in first and "Baronet" or "Bt." in last. Titles, suffixes and
    designations are moved out even when nothing is left: a surname "Baronet" is no
    surname."""
    f_tokens = (first or "").split()
    if len(f_tokens) > 1 and not (last or "").strip() and not middle:
        # a whole name typed into the first-name field: "Thomas Chudleigh", ""
        parts = parse_full_name(first)
        return ((prefix or "").split() or parts[0], *parts[1:4], (suffix or "").split()
                or parts[4])
    p_tokens = []
    while f_tokens and (token_key(f_tokens[0]) in LONE_TITLES or is_prefix(f_tokens, 0)):
        p_tokens.append(f_tokens.pop(0))
    f_tokens, f_extra = split_designation(f_tokens)
    l_tokens = (last or "").split()
    while l_tokens and token_key(l_tokens[0]) in PREFIXES and len(l_tokens) > 1:
        p_tokens.append(l_tokens.pop(0))
    l_tokens, l_extra = split_designation(l_tokens)
    s_tokens = []
    while l_tokens and is_suffix(l_tokens, len(l_tokens) - 1, 1, ambiguous_before=1):
        s_tokens.insert(0, l_tokens.pop())
    if len(l_tokens) == 1 and token_key(l_tokens[0]) in LONE_SUFFIXES:
        s_tokens.insert(0, l_tokens.pop())  # "Jr" alone in the surname field
    if len(l_tokens) == 1 and token_key(l_tokens[0]) in LONE_TITLES - TITLE_SURNAMES:
        p_tokens.append(l_tokens.pop())  # "Sir", "(Dr.)" alone in the surname field
    first_tokens, extra_middle = f_tokens[:1], f_tokens[1:]
    middle_tokens = (middle or "").split() or extra_middle
    return ((prefix or "").split() or p_tokens, first_tokens, middle_tokens, l_tokens,
            (suffix or "").split() or s_tokens + f_extra + l_extra)


def name_parts(tokens: tuple[list[str], ...]) -> tuple:
    """Token lists -> (folded parts..., display parts..., status)."""
    prefix, first, middle, last, suffix = tokens
    standard = {SUFFIXES.get(token_key(t), (fold(t) or "").upper()) for t in suffix if token_key(t)}
    # one order however written: "2nd Baronet" and "Bt. II" agree; generation first
    suffix_std = " ".join(sorted(standard, key=lambda t: (
        t not in GENERATIONAL and not is_ordinal(t.lower()), t)))
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


PROMISCUOUS = 6  # a nickname listed under more formal names than this is doubted


def _listed_surely(nick: str, formal: str) -> bool:
    """A listed nickname -> formal relation, unless the nickname is listed under many
    formal names and this one neither lists it back nor spells it (fred is listed under
    alfred, frederick and wilfred, which contain it, but also under will and bill)."""
    if len(formal_names(nick)) <= PROMISCUOUS or nick in formal_names(formal):
        return True
    return nick in formal or formal.startswith(nick[:2])


@lru_cache(maxsize=262144)
def are_nicknames(a: str, b: str) -> bool:
    """One name is a nickname of the other (jimmy ~ james, bob ~ robert), or both are
    nicknames of the same formal names in a way the data is sure of: they share two or
    more (kate ~ katie: kathryn, katy), or the formal name each stands for (lizzie ~ betsy:
    elizabeth). The `nicknames` dataset is loose, and two names that merely share one
    formal name among several are usually different names (jimmy stands for james, jamie
    for benjamin; fred and will share wilfred)."""
    a, b = a.split(" ")[0], b.split(" ")[0]
    if a == b:
        return True
    formal_a, formal_b = formal_names(a), formal_names(b)
    if b in formal_a:
        return _listed_surely(a, b)
    if a in formal_b:
        return _listed_surely(b, a)
    shared = formal_a & formal_b
    return len(shared) >= 2 or bool(shared) and nickname_group(a) == nickname_group(b)


def metaphone(text: str | None) -> str | None:
    if not text:
        return None
    return jellyfish.metaphone(text.replace(" ", "")) or None
