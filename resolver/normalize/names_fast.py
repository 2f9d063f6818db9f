"""The vectorised twin of the name parser (stage._parse_name_key) for the common shapes,
in polars expressions: "Robert Smith", "Dr. Robert J. Smith Jr.", "SMITH, ROBERT J",
"SMITH, ROBERT SR" in the full-name field, and plain words in the split fields.

A shape is covered only when every word is plain: ASCII letters with at most a trailing
dot, and none of the words the parser's position rules look at (titles, suffixes,
particles, peerage words, ordinals) except a title first and a generational or
professional suffix last. On such words the parser's rules reduce to positions, which
is what the expressions below compute; anything else is left to the parser.
"""

import polars as pl

from resolver import frames as F
from resolver.normalize.names import NAME_PARTS, PARTICLES
from resolver.normalize.titles import (AMBIGUOUS_PREFIXES, AMBIGUOUS_SUFFIXES, LONE_TITLES,
                                       PEERAGE_RANKS, PREFIXES, SUFFIXES, TITLE_SURNAMES)

SEPARATOR = "\x1f"  # between the raw name fields in the key (stage._parse_name_key)
# every word a position rule of the parser reacts to
RESERVED = sorted(PREFIXES | LONE_TITLES | AMBIGUOUS_PREFIXES | TITLE_SURNAMES | set(SUFFIXES)
                  | PEERAGE_RANKS | PARTICLES
                  | {"the", "of", "first", "second", "third", "fourth", "fifth"})
TITLES = sorted(PREFIXES - AMBIGUOUS_PREFIXES)  # a title whenever a name follows
# a suffix after any name: not also a surname (Do, Md), not a baronetcy (it starts a
# designation), not an ordinal
LAST_SUFFIXES = {k: v for k, v in SUFFIXES.items()
                 if k.isalpha() and k not in AMBIGUOUS_SUFFIXES and v != "BT"}

_WORD = r"[A-Za-z]+\.?"
_WORDS = rf"^{_WORD}( {_WORD})*$"


def _keys(tokens: pl.Expr) -> pl.Expr:
    """The parser's token_key of each word: lower case, no dots."""
    return tokens.list.eval(pl.element().str.replace_all(".", "", literal=True)
                            .str.to_lowercase())


def _plain(keys: pl.Expr, offset: pl.Expr | int = 0, length: pl.Expr | None = None) -> pl.Expr:
    """No word of keys[offset:offset + length] is one the parser's rules react to."""
    window = keys.list.slice(offset, length)
    return ~window.list.eval(pl.element().is_in(RESERVED)).list.any()


def _join(tokens: pl.Expr, offset: pl.Expr | int, length: pl.Expr | int) -> pl.Expr:
    return tokens.list.slice(offset, length).list.join(" ").replace("", None)


def _folded(part: pl.Expr) -> pl.Expr:
    # fold() of words of letters with trailing dots: lower case, the dots gone
    return part.str.replace_all(".", "", literal=True).str.to_lowercase()


def _display(part: pl.Expr) -> pl.Expr:
    """names.display: a part in all capitals or all lower case is title-cased (and
    "Mc" takes a capital after it, as _title_word does on the whole part); mixed case
    is kept."""
    titled = part.str.to_titlecase()
    titled = (pl.when((titled.str.len_chars() > 3) & titled.str.starts_with("Mc"))
              .then(pl.concat_str(pl.lit("Mc"), titled.str.slice(2, 1).str.to_uppercase(),
                                  titled.str.slice(3).str.to_lowercase()))
              .otherwise(titled))
    one_case = (part == part.str.to_uppercase()) | (part == part.str.to_lowercase())
    return pl.when(one_case).then(titled).otherwise(part)


def _full_name_shapes(full: pl.Expr) -> tuple[pl.Expr, dict]:
    """[Title] Given [Middle...] Family [Suffix], and Family, Given [Middle...] [Suffix]."""
    comma = full.str.contains(r"^[A-Za-z. ]+, [A-Za-z. ]+$")
    head = pl.when(comma).then(full.str.extract(r"^(.*), ", 1)).otherwise(pl.lit(""))
    given = pl.when(comma).then(full.str.extract(r", (.*)$", 1)).otherwise(full)
    tokens = given.str.split(" ")
    keys = _keys(tokens)
    n = tokens.list.len()
    family_tokens = head.str.split(" ")
    # a title only in "Title Given...", where it is the first word and a name follows
    has_title = ~comma & keys.list.first().is_in(TITLES) & (n >= 2)
    title = has_title.cast(pl.Int32)
    has_suffix = keys.list.last().is_in(list(LAST_SUFFIXES)) & (n - title >= 2)
    suffix = has_suffix.cast(pl.Int32)
    words = n - title - suffix
    covered = (
        full.str.contains(_WORDS) | comma & head.str.contains(_WORDS) & given.str.contains(_WORDS)
    ) & _plain(keys, title, words) & (~comma | _plain(_keys(family_tokens)))
    # with a comma the family name is before it; without, it is the last word
    last_words = pl.when(comma).then(0).otherwise(pl.min_horizontal(words - 1, 1))
    parts = {
        "prefix": pl.when(has_title).then(tokens.list.first()),
        "first_name": tokens.list.get(title, null_on_oob=True),
        "middle_name": _join(tokens, title + 1, words - 1 - last_words),
        "last_name": pl.when(comma).then(head).otherwise(
            _join(tokens, title + words - last_words, last_words)),
        "suffix": pl.when(has_suffix).then(keys.list.last().replace_strict(
            LAST_SUFFIXES, default=None, return_dtype=pl.String)),
    }
    return covered, parts


def _split_field_shapes(prefix: pl.Expr, first: pl.Expr, middle: pl.Expr, last: pl.Expr,
                        suffix: pl.Expr) -> tuple[pl.Expr, dict]:
    """Plain words in first and last (a first name alone when there is no last name),
    optional middle words, one-word title and suffix fields taken as given."""
    first_tokens, last_tokens = first.str.split(" "), last.str.split(" ")
    covered = (
        first.str.contains(_WORDS) & _plain(_keys(first_tokens))
        & ((last == "") & (first_tokens.list.len() == 1)
           | last.str.contains(_WORDS) & _plain(_keys(last_tokens)))
        & ((middle == "") | middle.str.contains(_WORDS))
        & ((prefix == "") | prefix.str.contains(rf"^{_WORD}$"))
        & ((suffix == "") | suffix.str.contains(r"^[A-Za-z0-9]+\.?$"))
    )
    suffix_key = _folded(suffix)
    parts = {
        "prefix": prefix.replace("", None),
        "first_name": first_tokens.list.first(),
        "middle_name": pl.when(middle != "").then(middle).otherwise(
            _join(first_tokens, 1, None)),
        "last_name": last.replace("", None),
        "suffix": pl.when(suffix != "").then(suffix_key.replace_strict(
            SUFFIXES, default=suffix_key.str.to_uppercase(), return_dtype=pl.String)),
    }
    return covered, parts


def parse_name_keys_fast(keys: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
    """Name keys (the raw fields joined by SEPARATOR) -> (which ones the common shapes
    cover, their parts as stage.NAME_SCHEMA)."""
    fields = ["full", "prefix", "first", "middle", "last", "suffix"]
    frame = pl.DataFrame({"key": keys}).select(
        (pl.col("key").str.count_matches(SEPARATOR, literal=True) == 5).alias("sound"),
        pl.col("key").str.split_exact(SEPARATOR, 5).struct.rename_fields(fields)
        .struct.unnest())
    frame = frame.with_columns(pl.col(fields).fill_null(""))
    full_covered, full_parts = _full_name_shapes(pl.col("full"))
    split_covered, split_parts = _split_field_shapes(*(pl.col(f) for f in fields[1:]))
    only_full = pl.all_horizontal(pl.col(f) == "" for f in fields[1:])
    is_full = (pl.col("full") != "") & only_full
    is_split = pl.col("full") == ""
    raw = frame.with_columns(
        (pl.col("sound") & (is_full & full_covered | is_split & split_covered))
        .alias("covered"),
        *(pl.when(is_full).then(full_parts[p]).otherwise(split_parts[p]).alias(p)
          for p in NAME_PARTS))
    folded = [(_folded(pl.col(p)) if p != "suffix" else pl.col(p)).alias(p)
              for p in NAME_PARTS]
    shown = [(_display(pl.col(p)) if p != "suffix" else pl.col(p)).alias(F.NAME_DISPLAY[p])
             for p in NAME_PARTS]
    status = (pl.when(pl.col("first_name").is_not_null() & pl.col("last_name").is_not_null())
              .then(pl.lit(F.STATUS_OK)).otherwise(pl.lit("partial")).alias(F.NAME_STATUS))
    parts = raw.select(*shown, *folded).select(*(p for p in NAME_PARTS),
                                             *(F.NAME_DISPLAY[p] for p in NAME_PARTS))
    parts = parts.with_columns(raw.select(status).to_series())
    return raw.get_column("covered"), parts
