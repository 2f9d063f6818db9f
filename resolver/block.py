"""normalized -> candidate pairs.

Each blocking rule is a list of keys; two records are a candidate pair under a rule when
they agree on every key and none is null. Rules are unioned and each pair is produced once,
tagged with the first rule that produced it.

A rule that makes more than max_block_size/2 pairs a record has each block larger than
`blocking.max_block_size` (n records make n(n-1)/2 pairs, mostly of different people
once n passes the few records one person has) split by each
`blocking.refine_with` key in turn, and its records are paired only when they also share
that key: "John Smith" alone is ten thousand people, "John Smith born 1971" or "John Smith
in 941xx" a handful. So a capped rule costs at most n/2 pairs per record, however large the
data grows. A sub-block still over the cap is skipped with a warning that gives its size
(never its value: that is customer data).

Identical records (equal in every normalized value a comparison or key can see) are
paired once: blocking runs over one representative per group, the smallest uid, and each
other member is paired with its representative alone (rule "duplicate"), so 5,000 copies
of one record cost 4,999 pairs, not 12.5 million. In link_only runs, where records of one
source are never paired, a representative's pairs are handed on to its group's members.
Before any pair is made, the pairs the rules will produce are counted from block sizes.
When they pass `blocking.max_pairs`, the rule whose blocks over the cap hold the most
pairs is capped whatever its total, and so on until the pairs fit (`fit_to_ceiling`):
blocks that grow with the data (a common surname and a ZIP, an email a provider hands to
many namesakes) are paired only within a refine key; if that is not enough, every rule's
blocks are capped at a smaller size. Each such rule is named in a warning and in the run's
blocking statistics, and the capture-recapture estimate of blocking recall
(report/blocking_recall.py) measures the cost. Pairs that pass the ceiling even then are
an error naming the rules, not a machine out of memory.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import polars as pl

from resolver import frames as F
from resolver.config import BlockCap, BlockingRule
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
    skipped_blocks: int  # still over the cap after refining
    skipped_records: int
    refined_blocks: int = 0  # over the cap, split by the refine_with keys
    # fitting max_pairs (fit_to_ceiling): the pairs the rule would have made as
    # configured, when the fitting lowered them; the block size it was capped at, when
    # the fitting capped it (0: not)
    capped_to_fit: int = 0
    capped_at: int = 0


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


def _block_sizes(keyed: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """(keys, n): blocks in the order their first record comes (uid order), so whatever
    is numbered or paired from them comes in one order on any thread count."""
    return keyed.group_by(keys, maintain_order=True).agg(pl.len().alias("n"))


def _rule_cap(cap: BlockCap, rule: BlockingRule, sizes: pl.Series, records: int) -> BlockCap:
    """The cap as it applies to one rule: a rule whose blocks make no more than
    size/2 pairs a record on the whole (what a capped rule may cost) is left whole, so
    small data and selective keys lose nothing; one that makes more is capped, and so is
    one capped to fit max_pairs (cap.capped)."""
    if _kept_whole(rule, cap, sizes.cast(pl.Float64).to_numpy(), records):
        return BlockCap(UNCAPPED)
    return cap


def _kept_whole(rule: BlockingRule, cap: BlockCap, blocks: np.ndarray, records: float) -> bool:
    """_rule_cap's test, on block sizes (scaled ones too: profile_pairs)."""
    return _whole_at(rule, cap, _pair_sum(blocks), records)


def _whole_at(rule: BlockingRule, cap: BlockCap, pairs: float, records: float) -> bool:
    """_kept_whole, given the pairs the rule's blocks hold."""
    return rule.name not in cap.capped and pairs <= cap.size / 2 * records


UNCAPPED = 2 ** 62


def predicted_pairs(keys_frame: pl.DataFrame, rule: BlockingRule, cap: BlockCap,
                    scale: float = 1.0) -> int:
    """Pairs a rule's blocks hold after refining (within-source pairs included, and a pair
    two refine keys both find counted twice: an upper bound). scale: every block and
    sub-block `scale` times as large, as when the data grows `scale`-fold and the key's
    values come from a fixed population (names, dates, postcodes)."""
    profile = block_profile(keys_frame, rule, cap.refine_with, min(cap.size, UNCAPPED) / scale)
    return profile_pairs(profile, rule, cap, scale)


@dataclass(frozen=True)
class BlockProfile:
    """What a rule's predicted pairs depend on, counted once: its block sizes and, per
    refine key, each sub-block's size beside its block's, for the blocks over `over`
    records (a cap of at least `over` leaves the others whole)."""
    records: int
    blocks: np.ndarray
    subs: tuple[tuple[np.ndarray, np.ndarray], ...]


def block_profile(keys_frame: pl.DataFrame, rule: BlockingRule, refine_with: tuple[str, ...],
                  over: float) -> BlockProfile:
    keys = list(rule.keys)
    keyed = _keyed(keys_frame, rule)
    sizes = _block_sizes(keyed, keys)
    big = keyed.join(sizes.filter(pl.col("n") > over), on=keys)
    subs = []
    for refine in _refine_keys(rule, BlockCap(0, refine_with)):
        sub = (big.join(keys_frame.select(F.UID, refine), on=F.UID).drop_nulls(refine)
               .group_by([*keys, refine]).agg(pl.len().alias("m"), pl.first("n")))
        subs.append((sub.get_column("m").cast(pl.Float64).to_numpy(),
                     sub.get_column("n").cast(pl.Float64).to_numpy()))
    return BlockProfile(keys_frame.height, sizes.get_column("n").cast(pl.Float64).to_numpy(),
                        tuple(subs))


def profile_pairs(profile: BlockProfile, rule: BlockingRule, cap: BlockCap,
                  scale: float = 1.0) -> int:
    """predicted_pairs from a rule's profile, made with `over` at most cap.size / scale."""
    blocks = profile.blocks * scale
    size = cap.size
    if _kept_whole(rule, cap, blocks, profile.records * scale):
        size = UNCAPPED
    total = round(_pair_sum(blocks[blocks <= size]))
    for sub, block in profile.subs:
        sub, block = sub * scale, block * scale
        total += round(_pair_sum(sub[(block > size) & (sub <= size)]))
    return total


def _pair_sum(sizes: np.ndarray) -> float:
    return float((sizes * (sizes - 1) / 2).sum())


def pairs_at_size(normalized: pl.DataFrame, rules: tuple[BlockingRule, ...], cap: BlockCap,
                  records: int, link_only: bool = False) -> dict[str, tuple[int, int]]:
    """rule -> (if blocks multiply, if blocks grow): the pairs a rule would make on
    `records` records of data like these. If its blocks multiply (each value belongs to
    a few people, as an email does), pairs grow in proportion to the records. If its
    blocks grow (values from a fixed population, as first names are), every block grows
    in proportion, pairs with its square, and the cap and refine keys apply to the grown
    blocks (a block that outgrows them is skipped). Real keys fall between the two; a
    rule whose second figure is far above its first is one whose cost grows faster than
    the data."""
    reps = duplicate_representatives(normalized, link_only)
    keys_frame = _keys_frame(normalized, {k for r in rules for k in r.keys}
                             | set(cap.refine_with), reps)
    scale = records / max(keys_frame.height, 1)
    return {rule.name: (round(predicted_pairs(keys_frame, rule, cap) * scale),
                        predicted_pairs(keys_frame, rule, cap, scale)) for rule in rules}


def fitting_at_size(normalized: pl.DataFrame, rules: tuple[BlockingRule, ...],
                    cap: BlockCap, max_pairs: int, records: int,
                    link_only: bool = False) -> str:
    """What fitting max_pairs would do on `records` records of data like these if every
    block grows in proportion (pairs_at_size's second figure): "fits", the rules capped,
    the block size every rule is capped at, or "refused"."""
    reps = duplicate_representatives(normalized, link_only)
    keys_frame = _keys_frame(normalized, {k for r in rules for k in r.keys}
                             | set(cap.refine_with), reps)
    scale = records / max(keys_frame.height, 1)
    profiles = {rule.name: block_profile(keys_frame, rule, cap.refine_with,
                                         min(cap.size, MIN_FITTED_BLOCK) / scale)
                for rule in rules}
    try:
        fitted, lowered = fit_to_ceiling(
            rules, cap, max_pairs, lambda rule, c: profile_pairs(profiles[rule.name], rule, c,
                                                                 scale))
    except InputError:
        return f"refused: past max_pairs even at blocks of {MIN_FITTED_BLOCK}"
    if not lowered:
        return "fits"
    if fitted.size < cap.size:
        return f"every rule capped at blocks of {fitted.size}"
    return "capped: " + ", ".join(name for name in fitted.capped if name in lowered)


def fit_to_ceiling(rules: tuple[BlockingRule, ...], cap: BlockCap, max_pairs: int,
                   predict: Callable[[BlockingRule, BlockCap], int],
                   ) -> tuple[BlockCap, dict[str, int]]:
    """-> (the cap the rules run under, rule -> pairs it would have made as configured,
    for each rule the fitting lowered). predict(rule, cap): the pairs a rule makes under
    a cap.

    While the predicted pairs pass max_pairs, rules are capped whatever their totals, the
    one whose blocks over the cap hold the most pairs first (capping it removes the most:
    those are the blocks that grow with the data, where most pairs are of different
    people), a rule that capping does not lower never. When every such rule is capped and
    the pairs still pass, every rule is capped at the largest block size under
    max_block_size at which they fit (found by bisection), never under MIN_FITTED_BLOCK.
    InputError (check_predicted_pairs) when they pass even there."""
    configured = {rule.name: predict(rule, cap) for rule in rules}
    predicted = dict(configured)
    if sum(predicted.values()) <= max_pairs:
        return cap, {}
    capped_alone = {rule.name: predict(rule, BlockCap(cap.size, cap.refine_with,
                                                      (*cap.capped, rule.name)))
                    for rule in rules if rule.name not in cap.capped}
    order = sorted(capped_alone, key=lambda name: capped_alone[name] - predicted[name])
    names = set(cap.capped)
    for name in order:  # sorted is stable: on equal savings, the earlier rule first
        if sum(predicted.values()) <= max_pairs or capped_alone[name] >= predicted[name]:
            break
        predicted[name] = capped_alone[name]
        names.add(name)
    cap = BlockCap(cap.size, cap.refine_with, tuple(r.name for r in rules if r.name in names))
    if sum(predicted.values()) > max_pairs:
        every = tuple(rule.name for rule in rules)
        low, high, fits, smallest = MIN_FITTED_BLOCK, cap.size - 1, None, None
        while low <= high:  # the largest size that fits; pairs fall as the size does
            size = (low + high) // 2
            trial = {rule.name: predict(rule, BlockCap(size, cap.refine_with, every))
                     for rule in rules}
            if sum(trial.values()) <= max_pairs:
                fits, low = (size, trial), size + 1
            else:
                high, smallest = size - 1, (size, trial)
        if fits is not None:
            cap, predicted = BlockCap(fits[0], cap.refine_with, every), fits[1]
        elif smallest is not None:  # the refusal gives the pairs at the smallest size tried
            check_predicted_pairs(smallest[1], max_pairs, capped=len(rules),
                                  at_size=smallest[0])
    lowered = {name: configured[name] for name in configured
               if predicted[name] < configured[name]}
    check_predicted_pairs(predicted, max_pairs, capped=len(lowered))
    return cap, lowered


# the smallest block size fitting max_pairs may cap at: above the handful of records one
# person has across sources, so a block the fitting skips is never one person's records
MIN_FITTED_BLOCK = 10


def check_predicted_pairs(predicted: dict[str, int], max_pairs: int, capped: int = 0,
                          at_size: int | None = None) -> None:
    """InputError when the rules' predicted pairs (rule -> pairs) pass max_pairs.
    capped: how many rules were capped to fit it; at_size: the block size they were capped
    at, when fitting lowered it."""
    if sum(predicted.values()) > max_pairs:
        worst = max(predicted, key=predicted.get)
        where = (f"blocks of {at_size:,} records" if at_size is not None
                 else "blocking.max_block_size")
        capped = f" even with {capped} rule(s) capped at {where} to fit" if capped else ""
        raise InputError(f"the blocking rules would make {sum(predicted.values()):,} candidate "
                         f"pairs{capped}, more than blocking.max_pairs = {max_pairs:,} "
                         f"(largest: rule {worst} with {predicted[worst]:,}). Add a key to that "
                         "rule, lower blocking.max_block_size, or raise blocking.max_pairs if "
                         "the machine has the memory")


def cap_as_run(cap: BlockCap, stats: list[RuleStats]) -> BlockCap:
    """The cap the rules ran under, from their statistics: `cap` with the rules the
    fitting to max_pairs capped, at the size it capped them (Config.fitted_cap)."""
    capped = tuple(s.rule for s in stats if s.capped_at)
    if not capped:
        return cap
    return BlockCap(next(s.capped_at for s in stats if s.capped_at), cap.refine_with, capped)


def capped_to_fit_warnings(stats: list[RuleStats], max_pairs: int,
                           max_block_size: int) -> list[str]:
    """One line per rule the fitting to max_pairs lowered, and one if it lowered the block
    size: counts only, never a key value."""
    lowered = [s for s in stats if s.capped_to_fit]
    sizes = {s.capped_at for s in stats if s.capped_at and s.capped_at < max_block_size}
    size_line = ([f"the blocking rules would not fit blocking.max_pairs = {max_pairs:,} with "
                  f"blocks of up to blocking.max_block_size = {max_block_size:,} records, so "
                  f"every rule's blocks are capped at {min(sizes):,} records for this run"]
                 if sizes else [])
    return size_line + [
        f"blocking rule {s.rule} would make {s.capped_to_fit:,} pairs, more than "
        f"blocking.max_pairs = {max_pairs:,} allows with the other rules, so it is capped: "
        f"its blocks over {s.capped_at:,} records pair only records that also share a "
        f"blocking.refine_with key ({s.pairs:,} pairs). Matches it alone would have found "
        "there are lost; run.json's model.trained.blocking_recall_estimate gives the "
        "recall of the rules as run. Raise blocking.max_pairs if the machine has the memory"
        for s in lowered]


def _keys_frame(normalized: pl.DataFrame, keys: set[str], reps: pl.DataFrame) -> pl.DataFrame:
    """(uid, source, each key) of one representative per group of identical records."""
    return _representatives_only(
        normalized.select(F.UID, F.SOURCE, *(key_expr(k) for k in sorted(keys))), reps)


def rule_pairs(normalized: pl.DataFrame, rule: BlockingRule, cap: BlockCap,
               link_only: bool = False) -> pl.DataFrame:
    """Every pair one rule produces, whether or not an earlier rule also did; identical
    records once (the model learns from distinct evidence, not from copies)."""
    keys_frame = _keys_frame(normalized, {*rule.keys, *cap.refine_with},
                             duplicate_representatives(normalized, link_only))
    pairs = _rule_pairs(keys_frame, rule, cap, link_only).pairs
    return pairs.with_columns(pl.lit(rule.name).alias(F.BLOCKING_RULE)).cast(F.PAIR_SCHEMA)


def _refine_keys(rule: BlockingRule, cap: BlockCap) -> list[str]:
    """The refine keys that can split the rule's blocks: zip3 cannot split a block of one
    zip5, nor dob_year one of a date of birth."""
    bases = {base_column(k) for k in rule.keys}
    return [k for k in cap.refine_with if base_column(k) not in bases]


@dataclass(frozen=True)
class _Blocked:
    pairs: pl.DataFrame
    largest: list[int]
    refined: int
    skipped: int
    skipped_records: int


def _rule_pairs(keys_frame: pl.DataFrame, rule: BlockingRule, cap: BlockCap,
                link_only: bool) -> _Blocked:
    keys = list(rule.keys)
    keyed = _keyed(keys_frame, rule)
    sizes = _block_sizes(keyed, keys).with_row_index("block")
    cap = _rule_cap(cap, rule, sizes.get_column("n"), keys_frame.height)
    too_big = sizes.filter(pl.col("n") > cap.size)
    keep = sizes.filter((pl.col("n") > 1) & (pl.col("n") <= cap.size)).select(*keys, "block")
    # pairs are made from block numbers and integer ids only (_within_blocks), never
    # from rows carrying every key string twice
    members = [keyed.join(keep, on=keys).select(F.UID, F.SOURCE, "block")]
    big = keyed.join(too_big.select(*keys, "block"), on=keys).select(F.UID, F.SOURCE, "block")
    refine_keys = _refine_keys(rule, cap)
    still_big = too_big.select("n") if not refine_keys else None
    next_block, reached = sizes.height, []
    for refine in refine_keys:
        sub = (big.join(keys_frame.select(F.UID, refine), on=F.UID).drop_nulls(refine)
               .with_columns(pl.struct("block", refine).rank("dense").cast(pl.UInt32)
                             .add(next_block).alias("sub")))
        sub_sizes = sub.group_by("sub").agg(pl.len().alias("n"), pl.first("block"))
        next_block += sub_sizes.height
        members.append(sub.join(sub_sizes.filter((pl.col("n") > 1) & (pl.col("n") <= cap.size))
                                .select("sub"), on="sub")
                       .select(F.UID, F.SOURCE, pl.col("sub").alias("block")))
        over = sub_sizes.filter(pl.col("n") > cap.size).select("n")
        still_big = over if still_big is None else pl.concat([still_big, over])
        reached.append(sub_sizes.filter(pl.col("n") > 1).get_column("block"))
    if refine_keys:  # a block no refine key splits (all null there) is skipped as well
        unsplit = too_big.filter(~pl.col("block").is_in(pl.concat(reached).implode()))
        still_big = pl.concat([still_big, unsplit.select("n")])
    member = pl.concat(members).select(
        F.UID, "block", pl.col(F.SOURCE).rank("dense").cast(pl.UInt32).alias("src"))
    pairs = _within_blocks(member, link_only)
    if refine_keys and too_big.height or any(key in LIST_KEYS for key in rule.keys):
        pairs = pairs.unique(maintain_order=True)  # found twice: two tokens or refine keys
    largest = sizes.get_column("n").sort(descending=True).head(5).to_list()
    return _Blocked(pairs, largest, too_big.height if refine_keys else 0, still_big.height,
                    int(still_big.get_column("n").sum() or 0))


def _within_blocks(member: pl.DataFrame, link_only: bool) -> pl.DataFrame:
    """(uid_l, uid_r): every two records sharing a block, uid_l < uid_r (and of two
    sources, link_only). member: (uid, block, src). The members sorted by block and uid,
    each is paired with those after it in its block, positions worked out by arithmetic
    on the block runs: no self-join making both orders of every pair and filtering half
    (7.7 s of 14 at 1.2M records)."""
    schema = {F.UID_L: member.schema[F.UID], F.UID_R: member.schema[F.UID]}
    if member.height == 0:
        return pl.DataFrame(schema=schema)
    member = member.sort("block", F.UID)
    block, uid, src = (member.get_column(c).to_numpy() for c in ("block", F.UID, "src"))
    size = len(uid)
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    ends = np.r_[starts[1:], size]
    after = np.repeat(ends, ends - starts) - np.arange(size) - 1  # members after each
    left = np.repeat(np.arange(size), after)
    first = np.repeat(np.cumsum(after) - after, after)  # where each one's run begins
    right = left + 1 + (np.arange(len(left)) - first)
    keep = uid[left] < uid[right]
    if link_only:
        keep &= src[left] != src[right]
    return pl.DataFrame({F.UID_L: uid[left[keep]], F.UID_R: uid[right[keep]]}, schema=schema)


def candidate_pairs(normalized: pl.DataFrame, rules: tuple[BlockingRule, ...],
                    cap: BlockCap, link_only: bool = False,
                    max_pairs: int | None = None, cap_to_fit: bool = True,
                    ) -> tuple[pl.DataFrame, list[RuleStats]]:
    """-> (pairs: uid_l < uid_r, blocking_rule; per-rule statistics), pairs sorted.
    Past max_pairs the rules are capped to fit (fit_to_ceiling), or with cap_to_fit False
    the run is refused."""
    wanted = {k for rule in rules for k in rule.keys} | set(cap.refine_with)
    reps = duplicate_representatives(normalized, link_only)
    keys_frame = _keys_frame(normalized, wanted, reps)
    uncapped, configured = {}, set(cap.capped)
    if max_pairs is not None:
        profiles = {}

        def predict(rule: BlockingRule, at: BlockCap) -> int:
            # block sizes counted once for the configured cap and once, if the fitting
            # lowers the size, for every size down to MIN_FITTED_BLOCK
            over = cap.size if at.size >= cap.size else min(cap.size, MIN_FITTED_BLOCK)
            if (rule.name, over) not in profiles:
                profiles[rule.name, over] = block_profile(keys_frame, rule, cap.refine_with,
                                                          over)
            return profile_pairs(profiles[rule.name, over], rule, at)

        if cap_to_fit:
            cap, uncapped = fit_to_ceiling(rules, cap, max_pairs, predict)
        else:
            check_predicted_pairs({rule.name: predict(rule, cap) for rule in rules}, max_pairs)
    fitted_rules = set(cap.capped) - configured
    keyed, blocks = [], []
    for index, rule in enumerate(rules):
        blocked = _rule_pairs(keys_frame, rule, cap, link_only)
        ends = (blocked.pairs.get_column(c).to_numpy() for c in (F.UID_L, F.UID_R))
        keyed.append(pl.DataFrame({"key": F.pair_keys(*ends), "rule": np.full(
            blocked.pairs.height, index, dtype=np.uint16)}))
        blocks.append(blocked)
    # each pair once, tagged with the first rule producing it (the smallest index): a
    # stable sort by key of the rules' pairs in rule order, the first row of each key;
    # stable, so the result is the same on any thread count (a group-by and a sort after
    # it cost 3x as much; sorting by (key, rule) 1.4x: 2.1 s against 1.5 at 19M pairs)
    union = (pl.concat(keyed).sort("key", maintain_order=True) if keyed
             else pl.DataFrame(schema={"key": pl.UInt64, "rule": pl.UInt16}))
    keys = union.get_column("key").to_numpy()
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    keys, tags = keys[first], union.get_column("rule").to_numpy()[first]
    new_counts = np.bincount(tags, minlength=len(rules))
    stats = [RuleStats(rule.name, blocked.pairs.height, int(new), int(total), blocked.largest,
                       blocked.skipped, blocked.skipped_records, blocked.refined,
                       uncapped.get(rule.name, 0),
                       cap.size if rule.name in fitted_rules else 0)
             for rule, blocked, new, total in zip(rules, blocks, new_counts,
                                                  np.cumsum(new_counts))]
    copies, names = reps.filter(pl.col(F.UID) != pl.col("rep")), [r.name for r in rules]
    if link_only and copies.height:
        return _members_of_representatives(_pairs_of(keys, tags, names), reps).cast(
            F.PAIR_SCHEMA).sort(F.UID_L, F.UID_R), stats
    if copies.height:  # each copy paired with its representative, merged into key order
        copy_keys = np.sort(F.pair_keys(copies.get_column("rep").to_numpy(),
                                        copies.get_column(F.UID).to_numpy()))
        at = np.searchsorted(keys, copy_keys)
        keys = np.insert(keys, at, copy_keys)
        tags = np.insert(tags, at, np.uint16(len(rules)))
    return _pairs_of(keys, tags, [*names, DUPLICATE_RULE]), stats


def _pairs_of(keys: np.ndarray, tags: np.ndarray, names: list[str]) -> pl.DataFrame:
    """(uid_l, uid_r, blocking_rule) of pair keys and the index of each one's rule name."""
    return pl.DataFrame([
        pl.Series(F.UID_L, (keys >> np.uint64(32)).astype(np.uint32)),
        pl.Series(F.UID_R, (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)),
        pl.Series(names, dtype=F.LABEL).gather(pl.Series(tags, dtype=pl.UInt32))
        .alias(F.BLOCKING_RULE)])


def _codes(column: pl.Series) -> np.ndarray:
    """Small integers standing for a key's values, equal exactly where the values are; 0
    for null. The values' 64-bit hashes, numbered densely (a sort of integers), where the
    hash is one-to-one on these values (as many distinct hashes as distinct values: a
    clash would make them fewer); else the values' dense rank (a sort of the strings)."""
    present = column.is_not_null()
    codes = column.hash(seed=0).filter(present)
    if codes.n_unique() != column.drop_nulls().n_unique():
        codes = column.filter(present)
    out = np.zeros(len(column), dtype=np.uint32)
    out[present.to_numpy()] = codes.rank("dense").cast(pl.UInt32).to_numpy()
    return out


def rule_membership(pairs: pl.DataFrame, normalized: pl.DataFrame,
                    rules: tuple[BlockingRule, ...], cap: BlockCap,
                    link_only: bool = False) -> np.ndarray:
    """For each pair, a bit mask of the rules that produce it (bit k: rules[k]), computed
    from the two records' keys and block sizes instead of blocking again: a pair is a
    rule's when the two agree on every key and their block is within the cap, or it was
    over the cap and they also share a refine key whose sub-block is within it.
    Identical copies are no rule's (blocking pairs them with their first copy itself).
    A rule with a list key (name_tokens) is found by blocking again. Keys are compared
    and blocks counted on integer codes (_codes), never on the strings."""
    if len(rules) > 64:
        raise ValueError("at most 64 rules fit a bit mask")
    n = normalized.height
    reps = duplicate_representatives(normalized, link_only)
    scalar = [r for r in rules if not any(k in LIST_KEYS for k in r.keys)]
    wanted = {k for r in scalar for k in r.keys} | set(cap.refine_with)
    keys_frame = _keys_frame(normalized, wanted, reps)
    uid = keys_frame.get_column(F.UID).to_numpy()
    codes = {}
    for key in sorted(wanted):
        full = np.zeros(n, dtype=np.uint32)
        full[uid] = _codes(keys_frame.get_column(key))
        codes[key] = full
    held = pl.DataFrame({F.UID: uid, **{k: codes[k][uid] for k in sorted(wanted)}})
    left = pairs.get_column(F.UID_L).to_numpy()
    right = pairs.get_column(F.UID_R).to_numpy()
    mask = np.zeros(pairs.height, dtype=np.uint64)
    for bit, rule in enumerate(rules):
        if rule in scalar:
            found = _within_rule(held, codes, rule, cap, left, right, n)
        else:
            found = _found_by_blocking(pairs, normalized, rule, cap, link_only)
        mask |= found.astype(np.uint64) << np.uint64(bit)
    return mask


def _agree(codes: dict, keys, left, right) -> np.ndarray:
    agree = np.ones(len(left), dtype=bool)
    for key in keys:
        values = codes[key]
        agree &= (values[left] == values[right]) & (values[left] > 0)
    return agree


def _block_size_of(held: pl.DataFrame, keys: list[str], n: int) -> np.ndarray:
    """uid-indexed: the size of the record's block on these keys (held: uid and each
    key's codes, 0 for null, of the representatives); 0 where a key is null."""
    blocked = held.filter(pl.all_horizontal(pl.col(k) > 0 for k in keys)).select(
        F.UID, pl.len().over(keys).alias("n"))
    size = np.zeros(n, dtype=np.int64)
    size[blocked.get_column(F.UID).to_numpy()] = blocked.get_column("n").to_numpy()
    return size


def _within_rule(held, codes, rule, cap, left, right, n) -> np.ndarray:
    keys = list(rule.keys)
    size = _block_size_of(held, keys, n)
    # a block of m records holds m(m-1)/2 pairs: (m-1)/2 for each of its records
    pairs_held = float(((size[size > 0] - 1) / 2).sum())
    if _whole_at(rule, cap, pairs_held, held.height):
        cap = BlockCap(UNCAPPED)  # as _rule_cap: the rule is left whole
    agree = _agree(codes, keys, left, right)
    found = agree & (size <= cap.size)[left]
    for refine in _refine_keys(rule, cap):
        sub_ok = _block_size_of(held, [*keys, refine], n) <= cap.size
        found |= agree & _agree(codes, [refine], left, right) & sub_ok[left]
    return found


def _found_by_blocking(pairs, normalized, rule, cap, link_only) -> np.ndarray:
    produced = rule_pairs(normalized, rule, cap, link_only).select(
        F.UID_L, F.UID_R, pl.lit(True).alias("found"))
    return (pairs.select(F.UID_L, F.UID_R)
            .join(produced, on=[F.UID_L, F.UID_R], how="left", maintain_order="left")
            .get_column("found").fill_null(False).to_numpy())
