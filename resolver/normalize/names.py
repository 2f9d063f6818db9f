"""Names: parse a full name in any common order and style, fold case and accents, and
add a nickname group and phonetic keys.

"Dr. Robert J. Smith Jr.", "SMITH, ROBERT J", "Juan de la Cruz", "Seán O'Brien" all parse
to prefix / first / middle / last / suffix. Surname particles (de, la, van, der, ...) stay
with the surname. The suffix is its own field: Jr and Sr are different people. Display
parts keep the original accents (title-cased when the source shouted or whispered).
Nicknames come from the `nicknames` package (Carlton Northern's curated dataset), with
judgement: see `are_nicknames`.
"""

import re
from functools import lru_cache

import jellyfish

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
AMBIGUOUS_SUFFIXES = frozenset({"do", "md", "rn", "jd", "kt", "kg", "mp", "vc", "kc", "qc"})
# ranks of nobility that are also names (Earl Jones, Duke Ellington, Sacha Baron Cohen):
# a title only next to an ordinal or before "of" ("1st Baron", "Earl of Derby")
PEERAGE_RANKS = frozenset({"baron", "baroness", "earl", "viscount", "viscountess",
                           "marquess", "marquis", "marchioness", "duke", "duchess", "count",
                           "countess", "lord", "lady"})
_ORDINAL = re.compile(r"^(\d{1,2}(st|nd|rd|th)|first|second|third|fourth|fifth)$")
GENERATIONAL = frozenset({"JR", "SR", "II", "III", "IV"})
PARTICLES = frozenset({
    "de", "del", "della", "di", "da", "dos", "das", "do", "la", "le", "van", "von", "der",
    "den", "ter", "ten", "st", "saint", "bin", "ibn", "al", "el", "mac", "af", "av", "zu",
    "y", "degli", "du",
})
NAME_PARTS = ("prefix", "first_name", "middle_name", "last_name", "suffix")
_TOKEN_CLEAN = re.compile(r"^[^\w]+|[^\w]+$", re.UNICODE)


@lru_cache(maxsize=65536)  # a token is looked up by several position rules
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


def _is_ordinal(key: str) -> bool:
    return bool(_ORDINAL.match(key))


def _never_a_name(key: str) -> bool:
    """Title words no given name or surname is made of: "Baronet", "Bt.", "1st"."""
    return SUFFIXES.get(key) == "BT" or _is_ordinal(key)


def _is_prefix(tokens: list[str], i: int) -> bool:
    """tokens[i] is a title: a plain one while a name follows it, an ambiguous one (Don,
    Hon) only while a given name and a surname follow."""
    key = _key(tokens[i])
    after = len(tokens) - i - 1
    if key == "the":  # "The Rt Hon ...", "The Reverend ..."
        return after >= 2 and _is_prefix(tokens, i + 1)
    return (key in PREFIXES and after >= 1) or (key in AMBIGUOUS_PREFIXES and after >= 2)


def _is_suffix(tokens: list[str], i: int, before_needed: int,
               ambiguous_before: int = 2) -> bool:
    """tokens[i] (at the end) is a suffix: a plain one after at least `before_needed`
    tokens, an ambiguous one (Do, Md) only after a surname (in a full name: after a given
    name and a surname)."""
    key = _key(tokens[i])
    if _never_a_name(key):
        return True
    if key not in SUFFIXES:
        return False
    return i >= (ambiguous_before if key in AMBIGUOUS_SUFFIXES else before_needed)


def _designation_start(tokens: list[str]) -> int:
    """Where a peerage or baronetcy designation starts ("2nd Baronet", "1st Baron
    Clifford of Chudleigh", "of Chudleigh"), after at least one name token; len(tokens)
    when there is none."""
    for i in range(1, len(tokens)):
        key, nxt = _key(tokens[i]), (_key(tokens[i + 1]) if i + 1 < len(tokens) else "")
        prev = _key(tokens[i - 1])
        if (_is_ordinal(key) and (nxt in PEERAGE_RANKS or SUFFIXES.get(nxt) == "BT"))\
                or SUFFIXES.get(key) == "BT" and i + 1 < len(tokens) \
                or key in PEERAGE_RANKS and (nxt == "of" or _is_ordinal(prev)) \
                or key == "of" and nxt:
            return i
    return len(tokens)


def _designation(tokens: list[str]) -> tuple[list[str], str | None]:
    """A designation -> (its title words: ordinal, rank, baronetcy; the name it carries:
    the place after "of", else the word after the rank)."""
    titles, named = [], None
    for i, token in enumerate(tokens):
        key = _key(token)
        if _never_a_name(key) or key in PEERAGE_RANKS:
            titles.append(token)
        elif key == "of":
            named = " ".join(tokens[i + 1:]) or named
            break
        elif named is None:
            named = token
    return titles, named


def _strip_affixes(tokens: list[str]) -> tuple[list[str], list[str], list[str]]:
    """-> (prefix tokens, remaining tokens, suffix tokens), by position: titles before a
    name, suffixes after a surname that follows a given name."""
    prefix, suffix = [], []
    while tokens and _is_prefix(tokens, 0):
        prefix.append(tokens.pop(0))
    while tokens and _is_suffix(tokens, len(tokens) - 1, 1):
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
    tail_tokens = tail.replace(",", " ").split()
    designation: list[str] = []
    if comma and tail_tokens and all(_key(t) in SUFFIXES for t in tail_tokens):
        # "Robert Smith, Jr.", "Sir Ned Loder, Baronet": the comma sets off a suffix
        text, comma = f"{head} {tail}", ""
    elif comma and tail_tokens and _designation_start(["_", *tail_tokens]) == 1:
        # "Edmund Loder, 2nd Baronet", "Edward Stanley, 14th Earl of Derby"
        text, comma = head, ""
        designation = tail_tokens
    if comma:
        # "SMITH, ROBERT J" / "Smith Jr., Dr. Robert"
        family = [t for t in head.split() if t]
        given = [t for t in tail.replace(",", " ").split() if t]
        _, family, suffix = _strip_affixes(family)
        prefix, given, suffix2 = _strip_affixes(given)
        suffix += suffix2
        first, middle = (given[:1], given[1:]) if given else ([], [])
        return prefix, first, middle, family, suffix
    tokens = text.replace(",", " ").split()
    prefix = []
    while tokens and _is_prefix(tokens, 0):
        prefix.append(tokens.pop(0))
    start = _designation_start(tokens)
    tokens, designation = tokens[:start], tokens[start:] + designation
    titles, named = _designation(designation) if designation else ([], None)
    # an ordinal inside a name ("Thomas 1st Chudleigh") is a title word, not a name
    titles = [t for t in tokens if _is_ordinal(_key(t))] + titles
    tokens = [t for t in tokens if not _is_ordinal(_key(t))]
    _, rest, suffix = _strip_affixes(tokens)
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
    while f_tokens and (_key(f_tokens[0]) in LONE_TITLES or _is_prefix(f_tokens, 0)):
        p_tokens.append(f_tokens.pop(0))
    f_tokens, f_extra = _split_designation(f_tokens)
    l_tokens = (last or "").split()
    while l_tokens and _key(l_tokens[0]) in PREFIXES and len(l_tokens) > 1:
        p_tokens.append(l_tokens.pop(0))
    l_tokens, l_extra = _split_designation(l_tokens)
    s_tokens = []
    while l_tokens and _is_suffix(l_tokens, len(l_tokens) - 1, 0, ambiguous_before=1):
        s_tokens.insert(0, l_tokens.pop())
    first_tokens, extra_middle = f_tokens[:1], f_tokens[1:]
    middle_tokens = (middle or "").split() or extra_middle
    return ((prefix or "").split() or p_tokens, first_tokens, middle_tokens, l_tokens,
            (suffix or "").split() or s_tokens + f_extra + l_extra)


def _split_designation(tokens: list[str]) -> tuple[list[str], list[str]]:
    """One split field -> (name tokens, title words). A field may hold nothing but a
    title word ("1st", "Bt.", "of"); a rank alone ("Earl") stays: it is also a name."""
    kept, titles = [], []
    for i, token in enumerate(tokens):
        key = _key(token)
        nxt = _key(tokens[i + 1]) if i + 1 < len(tokens) else ""
        prev = _key(tokens[i - 1]) if i else ""
        if _never_a_name(key) or key == "of" or (
                key in PEERAGE_RANKS and (nxt == "of" or _is_ordinal(prev))):
            if key != "of":
                titles.append(token)
        else:
            kept.append(token)
    return kept, titles


def name_parts(tokens: tuple[list[str], ...]) -> tuple:
    """Token lists -> (folded parts..., display parts..., status)."""
    prefix, first, middle, last, suffix = tokens
    standard = {SUFFIXES.get(_key(t), (fold(t) or "").upper()) for t in suffix if _key(t)}
    # one order however written: "2nd Baronet" and "Bt. II" agree; generation first
    suffix_std = " ".join(sorted(standard, key=lambda t: (
        t not in GENERATIONAL and not _is_ordinal(t.lower()), t)))
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
