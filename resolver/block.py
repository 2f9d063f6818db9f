"""normalized -> candidate pairs.

Each blocking rule is a list of keys; two records are a candidate pair under a rule when
they agree on every key and none is null. Rules are unioned and each pair is produced once,
tagged with the first rule that produced it. A block larger than `max_block_size` under a
rule is skipped with a warning that gives its size (never its value: that is customer data).

Identical records (equal in every normalized value a comparison or key can see) are
paired once: blocking runs over one representative per group, the smallest uid, and each
other member is paired with its representative alone (rule "duplicate"), so 5,000 copies
of one record cost 4,999 pairs, not 12.5 million. In link_only runs, where records of one
source are never paired, a representative's pairs are handed on to its group's members.
Before any pair is made, the pairs the rules will produce are counted from block sizes;
more than `blocking.max_pairs` is an error naming the rules, not a machine out of memory.
"""

import re
from dataclasses import dataclass

import polars as pl

from resolver import frames as F
from resolver.config import BlockingRule
from resolver.errors import InputError

DUPLICATE_RULE = "duplicate"
_IDENTITY = {F.SOURCE, F.RECORD_ID, F.ROW_NUMBER, F.UPDATED_AT, F.UID, F.RECORD_KEY}

DERIVED_KEYS = {  # key -> expression over normalized columns
    "dob_year": pl.col(F.DOB_TEXT).str.slice(0, 4),
    "dob_month_day": pl.col(F.DOB_TEXT).str.slice(4, 4),
    "first_initial": pl.col(F.FIRST_NAME).str.slice(0, 1),
    "last_initial": pl.col(F.LAST_NAME).str.slice(0, 1),
    "last_name_prefix4": pl.col(F.LAST_NAME).str.slice(0, 4),
    "first_name_prefix3": pl.col(F.FIRST_NAME).str.slice(0, 3),
    "zip3": pl.col(F.ZIP5).str.slice(0, 3),
}
COLUMN_KEYS = {
    F.FIRST_NAME, F.LAST_NAME, F.MIDDLE_NAME, F.FIRST_NAME_CANONICAL, F.FIRST_NAME_METAPHONE,
    F.LAST_NAME_METAPHONE, F.DOB_TEXT, F.ZIP5, F.CITY, F.STATE, F.ADDRESS_KEY, F.BUILDING_KEY,
    F.STREET_KEY, F.HOUSE_NUMBER, F.STREET_NAME, F.EMAIL, F.EMAIL_LOCAL, F.PHONE,
    F.PHONE_LAST7, F.PHONE_DIGITS, F.SUFFIX,
}
# each of first_name and last_name: a record sits in both blocks, so one whose only name is
# in the other field ("Watts" as first name) still meets "John Watts"
LIST_KEYS = {"name_tokens": pl.concat_list(pl.col(F.FIRST_NAME), pl.col(F.LAST_NAME))
             .list.drop_nulls().list.unique()}
BLOCKING_KEYS = COLUMN_KEYS | set(DERIVED_KEYS) | set(LIST_KEYS) | {"dob"}
# "postcode_fake[:4]": the first 4 characters; "postcode_fake[:-3]": all but the last 3
# (a UK postcode's outward code, whatever its length)
_PREFIX_KEY = re.compile(r"^(\w+)\[:(-?[1-9]\d?)\]$")
DERIVED_FROM = {"name_tokens": F.FIRST_NAME,
                "dob": F.DOB_TEXT, "dob_year": F.DOB_TEXT, "dob_month_day": F.DOB_TEXT,
                "first_initial": F.FIRST_NAME, "first_name_prefix3": F.FIRST_NAME,
                "last_initial": F.LAST_NAME, "last_name_prefix4": F.LAST_NAME, "zip3": F.ZIP5}


def base_column(key: str) -> str:
    """The normalized column a blocking key is made from."""
    prefix = _PREFIX_KEY.match(key)
    if prefix:
        return base_column(prefix.group(1))
    return DERIVED_FROM.get(key, key)


def is_blocking_key(key: str, extra_fields: set[str]) -> bool:
    """A named key, an extra field, or the first N characters of either ("zip5[:3]")."""
    prefix = _PREFIX_KEY.match(key)
    if prefix:
        key = prefix.group(1)
        return key not in LIST_KEYS and (key in BLOCKING_KEYS or key in extra_fields)
    return key in BLOCKING_KEYS or key in extra_fields


@dataclass(frozen=True)
class RuleStats:
    rule: str
    pairs: int  # pairs this rule produced (before removing those of earlier rules)
    new_pairs: int  # pairs no earlier rule produced
    cumulative_pairs: int
    largest_blocks: list[int]
    skipped_blocks: int
    skipped_records: int


def _base_expr(key: str) -> pl.Expr:
    if key == "dob":
        return pl.col(F.DOB_TEXT)
    return DERIVED_KEYS.get(key, LIST_KEYS.get(key, pl.col(key)))


def key_expr(key: str) -> pl.Expr:
    prefix = _PREFIX_KEY.match(key)
    if prefix:  # shorter values than N characters keep what they have; none left: null
        return (_base_expr(prefix.group(1)).str.head(int(prefix.group(2))).replace("", None)
                .alias(key))
    return _base_expr(key).alias(key)


def duplicate_representatives(normalized: pl.DataFrame, link_only: bool) -> pl.DataFrame:
    """(uid, rep): every record and the smallest uid of its group of identical records.
    Raw and display columns are left out: two spellings that normalize alike are alike
    to every comparison."""
    columns = [c for c in normalized.columns if c not in _IDENTITY
               and not c.startswith(F.RAW_PREFIX) and not c.endswith("_display")]
    if link_only:
        columns.append(F.SOURCE)
    if not columns:
        return normalized.select(F.UID, pl.col(F.UID).alias("rep"))
    return normalized.select(F.UID, pl.col(F.UID).min().over(columns).alias("rep"))


def _representatives_only(keys_frame: pl.DataFrame, reps: pl.DataFrame) -> pl.DataFrame:
    return keys_frame.join(reps.filter(pl.col(F.UID) == pl.col("rep")).select(F.UID),
                           on=F.UID, how="semi", maintain_order="left")


def _members_of_representatives(pairs: pl.DataFrame, reps: pl.DataFrame) -> pl.DataFrame:
    """link_only: each representative pair (a, b) for every member of a's and b's groups."""
    members = reps.rename({F.UID: "member"})
    expanded = (pairs.join(members, left_on=F.UID_L, right_on="rep")
                .rename({"member": "a"})
                .join(members, left_on=F.UID_R, right_on="rep")
                .rename({"member": "b"}))
    return expanded.select(pl.min_horizontal("a", "b").alias(F.UID_L),
                           pl.max_horizontal("a", "b").alias(F.UID_R),
                           *(c for c in pairs.columns if c not in (F.UID_L, F.UID_R)))


def _keyed(keys_frame: pl.DataFrame, rule: BlockingRule) -> pl.DataFrame:
    """(uid, source, keys) of the records holding every key; a list key (name tokens)
    gives one row per element."""
    keyed = keys_frame.select(F.UID, F.SOURCE, *rule.keys)
    for key in rule.keys:
        if keyed.schema[key] == pl.List(pl.String):
            keyed = keyed.explode(key)
    return keyed.drop_nulls(list(rule.keys))


def predicted_pairs(keys_frame: pl.DataFrame, rule: BlockingRule, max_block: int) -> int:
    """Pairs a rule's blocks hold (within-source pairs included: an upper bound)."""
    sizes = (_keyed(keys_frame, rule).group_by(list(rule.keys)).len()
             .filter(pl.col("len") <= max_block).get_column("len").cast(pl.Int64))
    return int((sizes * (sizes - 1) // 2).sum())


def check_pair_ceiling(keys_frame: pl.DataFrame, rules: tuple[BlockingRule, ...],
                       max_block: int, max_pairs: int) -> dict[str, int]:
    """rule -> predicted pairs; InputError when their sum passes max_pairs."""
    predicted = {rule.name: predicted_pairs(keys_frame, rule, max_block) for rule in rules}
    if sum(predicted.values()) > max_pairs:
        worst = max(predicted, key=predicted.get)
        raise InputError(f"the blocking rules would make {sum(predicted.values()):,} candidate "
                         f"pairs, more than blocking.max_pairs = {max_pairs:,} (largest: rule "
                         f"{worst} with {predicted[worst]:,}). Add a key to that rule, lower "
                         "blocking.max_block_size, or raise blocking.max_pairs if the machine "
                         "has the memory")
    return predicted


def rule_pairs(normalized: pl.DataFrame, rule: BlockingRule, max_block_size: int,
               link_only: bool = False) -> pl.DataFrame:
    """Every pair one rule produces, whether or not an earlier rule also did; identical
    records once (the model learns from distinct evidence, not from copies)."""
    keys_frame = _representatives_only(
        normalized.select(F.UID, F.SOURCE, *(key_expr(k) for k in rule.keys)),
        duplicate_representatives(normalized, link_only))
    pairs = _rule_pairs(keys_frame, rule, max_block_size, link_only)[0]
    return pairs.with_columns(pl.lit(rule.name).alias(F.BLOCKING_RULE)).cast(F.PAIR_SCHEMA)


def _rule_pairs(keys_frame: pl.DataFrame, rule: BlockingRule, max_block: int,
                link_only: bool) -> tuple[pl.DataFrame, list[int], int, int]:
    keys = list(rule.keys)
    keyed = _keyed(keys_frame, rule)
    sizes = keyed.group_by(keys).agg(pl.len().alias("n")).with_row_index("block")
    too_big = sizes.filter(pl.col("n") > max_block)
    keep = sizes.filter((pl.col("n") > 1) & (pl.col("n") <= max_block)).select(*keys, "block")
    # the self-join runs on a block number and integer ids only: n^2 rows of 12 bytes per
    # block, not n^2 rows carrying every key string twice
    members = keyed.join(keep, on=keys).select(
        F.UID, "block", pl.col(F.SOURCE).rank("dense").cast(pl.UInt32).alias("src"))
    pairs = members.join(members, on="block", suffix="_r").filter(
        pl.col(F.UID) < pl.col(F.UID + "_r"))
    if link_only:
        pairs = pairs.filter(pl.col("src") != pl.col("src_r"))
    pairs = pairs.select(pl.col(F.UID).alias(F.UID_L), pl.col(F.UID + "_r").alias(F.UID_R))
    if any(key in LIST_KEYS for key in rule.keys):  # two shared tokens: one pair
        pairs = pairs.unique(maintain_order=True)
    largest = sizes.get_column("n").sort(descending=True).head(5).to_list()
    return pairs, largest, too_big.height, int(too_big.get_column("n").sum() or 0)


def candidate_pairs(normalized: pl.DataFrame, rules: tuple[BlockingRule, ...],
                    max_block_size: int, link_only: bool = False,
                    max_pairs: int | None = None,
                    ) -> tuple[pl.DataFrame, list[RuleStats]]:
    """-> (pairs: uid_l < uid_r, blocking_rule; per-rule statistics), pairs sorted."""
    wanted = {k for rule in rules for k in rule.keys}
    reps = duplicate_representatives(normalized, link_only)
    keys_frame = _representatives_only(
        normalized.select(F.UID, F.SOURCE, *(key_expr(k) for k in sorted(wanted))), reps)
    if max_pairs is not None:
        check_pair_ceiling(keys_frame, rules, max_block_size, max_pairs)
    seen = pl.DataFrame(schema={F.UID_L: pl.UInt32, F.UID_R: pl.UInt32})
    out, stats = [], []
    for rule in rules:
        pairs, largest, skipped, skipped_records = _rule_pairs(keys_frame, rule, max_block_size,
                                                               link_only)
        new = pairs.join(seen, on=[F.UID_L, F.UID_R], how="anti")
        seen = pl.concat([seen, new])
        out.append(new.with_columns(pl.lit(rule.name).alias(F.BLOCKING_RULE)))
        stats.append(RuleStats(rule.name, pairs.height, new.height, seen.height, largest,
                               skipped, skipped_records))
    pairs = pl.concat(out) if out else pl.DataFrame(schema=F.PAIR_SCHEMA)
    copies = reps.filter(pl.col(F.UID) != pl.col("rep"))
    if link_only and copies.height:
        pairs = _members_of_representatives(pairs, reps)
    elif copies.height:
        pairs = pl.concat([pairs.cast(F.PAIR_SCHEMA), copies.select(
            pl.col("rep").alias(F.UID_L), pl.col(F.UID).alias(F.UID_R),
            pl.lit(DUPLICATE_RULE).alias(F.BLOCKING_RULE)).cast(F.PAIR_SCHEMA)])
    return pairs.cast(F.PAIR_SCHEMA).sort(F.UID_L, F.UID_R), stats
