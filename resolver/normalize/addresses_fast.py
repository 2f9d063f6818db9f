"""The vectorised twin of addresses.parse_address for the common shapes, in polars
expressions: "123 N Main St Apt 4B, Springfield, IL 62704", "9228 WOODLAND AVE #5D, 95881",
a ZIP code alone.

A line is covered only when it is plain ASCII (letters, digits, spaces, commas, dots, "#",
a ZIP+4 hyphen), reads house number, optional directional, street name words, street
type, optional unit, optional city words and state, and a ZIP code, and none of its name
or city words is one the parser's rules look at (a street type, unit word, directional,
state, country or PO box word). On such lines the parser's rules reduce to these
positions; anything else is left to the parser.
"""

import polars as pl

from resolver import frames as F
from resolver.normalize.addresses import ADDRESS_SCHEMA
from resolver.normalize.reference import (DIRECTIONALS, FOREIGN_COUNTRIES, STATES,
                                          STREET_TYPES, UNIT_TYPES, US_COUNTRY_NAMES)


def _words(phrases) -> set[str]:
    return {word for phrase in phrases for word in phrase.split()}


# every word a rule of the parser reacts to, and the parser's own placeholder words
RESERVED = sorted(set(STREET_TYPES) | set(UNIT_TYPES) | set(DIRECTIONALS) | _words(STATES)
                  | _words(US_COUNTRY_NAMES) | _words(FOREIGN_COUNTRIES)
                  | {"PO", "P", "O", "BOX", "POST", "OFFICE", "COMMASEP", "NUMBERSIGN",
                     "DASHSEP"})
# words a city may hold after a street: street types (Salt Lake City, St Louis) and, when
# a state follows, state words (Kansas City MO), on the conditions in _plain_city
# (never a directional or unit word: the parser reads those wherever they stand)
_ALWAYS = set(DIRECTIONALS) | set(UNIT_TYPES)
CITY_RESERVED = sorted(set(RESERVED) - (set(STREET_TYPES) | _words(STATES)) | _ALWAYS)
STATE_WORDS = sorted(_words(STATES))
NAME_RESERVED = sorted(set(RESERVED) - (_words(STATES) - set(STREET_TYPES)) | _ALWAYS)


def _alternatives(words) -> str:
    return "|".join(sorted(words, key=lambda w: (-len(w), w)))


_SHAPE = (
    r"^(?:(?P<house>\d+) (?:(?P<pre>" + _alternatives(DIRECTIONALS) + r") )?"
    r"(?P<name>[A-Z]+(?: [A-Z]+)*?) (?P<type>" + _alternatives(STREET_TYPES) + r")"
    r"(?P<comma1> ,)?(?: (?P<utype>" + _alternatives(k for k in UNIT_TYPES if k != "#") + r"|#)"
    r"(?: #)? (?P<unum>\d+[A-Z]?|[A-Z]\d*))?"
    r"(?P<comma2> ,)?(?: (?P<city>[A-Z]+(?: [A-Z]+)*?)(?: ,)?(?: (?P<state>"
    + _alternatives(STATES) + r"))?)?(?: (?P<zip>\d{5}|\d{9}))?|(?P<zip_only>\d{5}|\d{9}))$"
)


def _tokens(line: pl.Expr) -> pl.Expr:
    """parse_address's tokens for plain ASCII lines, one space apart, a comma as its own
    token between segments (empty segments dropped, as the parser drops them)."""
    text = (line.str.replace_all(r"\b(\d{5})-(\d{4})\b", "${1}${2}").str.to_uppercase()
            .str.replace_all("#", " # ", literal=True).str.replace_all(",", " , ", literal=True)
            .str.replace_all(".", " ", literal=True).str.replace_all(r" +", " ")
            .str.replace_all(r"( ,)+", " ,").str.strip_chars(" ,"))
    return text


def _any_in(words: pl.Expr, reserved: list[str]) -> pl.Expr:
    return words.list.eval(pl.element().is_in(reserved)).list.any()


def _plain_name(name: pl.Expr, pre: pl.Expr, city: pl.Expr) -> pl.Expr:
    """No name word is one the parser's rules react to, except that a one-word name or
    the first word of a name without a directional before it may be a street type ("123
    River Ave", "N Park Pl"): the parser's street-type scan starts after the first word,
    and a directional is a prefix before a type word only when another type follows.
    State words (Washington Ave) only when a city follows: the parser looks for a state
    in the last words."""
    words = name.str.split(" ")
    first, rest = words.list.first(), words.list.slice(1)
    first_ok = ~first.is_in(sorted(set(RESERVED) - set(STREET_TYPES))) & (
        ~first.is_in(list(STREET_TYPES)) | pre.is_null() | (rest.list.len() == 0))
    return (first_ok & (city.is_not_null() | ~first.is_in(STATE_WORDS))
            & pl.when(city.is_null()).then(~_any_in(rest, RESERVED))
            .otherwise(~_any_in(rest, NAME_RESERVED)))


def _plain_city(city: pl.Expr, state: pl.Expr, separated: pl.Expr) -> pl.Expr:
    """A city may hold street types, unless its first word follows the street type with
    no comma or unit between (the parser would read it as part of the street), and state
    words when a state follows, unless the last words and the state together name
    another state (the parser tries three words, then two, then one)."""
    words = city.str.split(" ")
    joined = pl.concat_list(words, state.str.split(" "))
    tails_ok = pl.all_horizontal(
        (joined.list.len() < k) | (state.str.count_matches(" ") + 1 >= k)
        | ~joined.list.slice(-k).list.join(" ").is_in(list(STATES)) for k in (2, 3))
    return city.is_null() | (
        ~_any_in(words, CITY_RESERVED)
        & (separated | ~words.list.first().is_in(list(STREET_TYPES)))
        & pl.when(state.is_null()).then(~_any_in(words, STATE_WORDS)).otherwise(tails_ok))


def parse_addresses_fast(lines: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
    """Address lines -> (which ones the common shapes cover, their ADDRESS_SCHEMA parts)."""
    line = pl.col("line")
    frame = pl.DataFrame({"line": lines}).with_columns(
        (line.str.contains(r"^[A-Za-z0-9 .,#-]*$")
         & ~line.str.replace_all(r"\b\d{5}-\d{4}\b", "").str.contains("-", literal=True)
         # the parser's placeholder words, replaced inside words too
         & ~line.str.to_uppercase().str.contains("NUMBERSIGN|DASHSEP|COMMASEP"))
        .alias("ascii"),
        _tokens(pl.col("line")).alias("tokens"))
    frame = frame.with_columns(pl.col("tokens").str.extract_groups(_SHAPE).alias("g")).unnest("g")
    frame = frame.with_columns(pl.coalesce("zip", "zip_only").alias("zip"))
    frame = frame.with_columns(
        pl.col("zip").str.slice(0, 5).alias("zip5"),
        pl.col("zip").str.slice(5).replace("", None).alias("zip4"))
    separated = pl.col("comma1").is_not_null() | pl.col("comma2").is_not_null() | pl.col(
        "utype").is_not_null()
    words = pl.col("tokens").str.replace_all(" ,", "", literal=True).str.split(" ")
    # without a ZIP code the line ends in words: never a country's, never a ZIP's digits
    foreign = pl.any_horizontal(words.list.slice(-k).list.join(" ").is_in(
        list(FOREIGN_COUNTRIES)) for k in (1, 2, 3))
    zip_like = words.list.last().str.contains(r"^\d{5}(\d{4})?$")
    covered = (pl.col("ascii") & (pl.col("zip").is_not_null()
                                  | pl.col("house").is_not_null() & ~foreign & ~zip_like)
               & (pl.col("name").is_null()
                  | _plain_name(pl.col("name"), pl.col("pre"), pl.col("city")))
               & _plain_city(pl.col("city"), pl.col("state"), separated))
    house, name, unum, zip5 = pl.col("house"), pl.col("name"), pl.col("unum"), pl.col("zip5")
    pre = pl.col("pre").replace_strict(DIRECTIONALS, default=None, return_dtype=pl.String)
    stype = pl.col("type").replace_strict(STREET_TYPES, default=None, return_dtype=pl.String)
    utype = pl.col("utype").replace_strict(UNIT_TYPES, default=None, return_dtype=pl.String)
    state = pl.col("state").replace_strict(STATES, default=None, return_dtype=pl.String)
    frame = frame.with_columns(pre.alias("pre"), stype.alias("stype"), utype.alias("utype"),
                               state.alias("state"))
    pre, stype, utype, state = pl.col("pre"), pl.col("stype"), pl.col("utype"), pl.col("state")
    street = pl.concat_str([house, pre, name, stype], separator=" ", ignore_nulls=True)
    unit = pl.concat_str([utype, unum], separator=" ", ignore_nulls=True)
    place = pl.concat_str([pl.col("city"), state, zip5], separator=" ", ignore_nulls=True)
    line = pl.concat_str([street.replace("", None), unit.replace("", None),
                          place.replace("", None)],
                         separator=", ", ignore_nulls=True)
    where = pl.coalesce(zip5, pl.concat_str([pl.col("city"), state], separator=" ",
                                            ignore_nulls=True))
    building = pl.concat_str([house, pre.fill_null(""), name, stype, pl.lit(""), where],
                             separator="|")
    none = pl.lit(None, pl.String)
    parts = frame.select(
        house.alias(F.HOUSE_NUMBER), pre.alias(F.PRE_DIRECTIONAL), name.alias(F.STREET_NAME),
        stype.alias(F.STREET_TYPE), none.alias(F.POST_DIRECTIONAL), utype.alias(F.UNIT_TYPE),
        unum.alias(F.UNIT_NUMBER), pl.col("city").str.to_titlecase().alias(F.CITY),
        state.alias(F.STATE), zip5.alias(F.ZIP5), pl.col("zip4").alias(F.ZIP4),
        pl.lit("US").alias(F.COUNTRY), line.alias(F.ADDRESS_LINE),
        pl.concat_str([building, unum.fill_null("")], separator="|").alias(F.ADDRESS_KEY),
        building.alias(F.BUILDING_KEY),
        pl.concat_str([name, pl.lit(" "), stype, pl.lit("|"), where]).alias(F.STREET_KEY),
        pl.when(house.is_not_null() & (zip5.is_not_null() | pl.col("city").is_not_null()))
        .then(pl.lit(F.STATUS_OK)).otherwise(pl.lit("partial")).alias(F.ADDRESS_STATUS),
    )
    assert parts.columns == list(ADDRESS_SCHEMA)
    return frame.select(covered).to_series(), parts
