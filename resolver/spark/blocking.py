"""normalized -> candidate pairs, with Spark joins: the same pairs, first rules and
statistics as block.candidate_pairs, rule by rule.

- Identical records: a window over every normalized value gives each record its group's
  smallest uid; only these representatives are blocked, each copy is paired with its
  representative (rule "duplicate"), or in link_only runs gets its representative's
  pairs.
- A rule's keys come from block.key_expr, per partition; blocks are counted by a group-by.
- The cap: a rule whose blocks make more than max_block_size/2 pairs a record has each
  block over the cap split by each refine key in turn; sub-blocks still over it are
  skipped and counted. The predicted pairs are counted from block sizes first; past
  blocking.max_pairs rules are capped in turn (block.fit_to_ceiling), and
  pairs still past it stop the run before a pair is made.
- Pairs: a self-join on the block (the rule's key values, or those plus a refine key's),
  uid_l < uid_r; a pair found under several rules is tagged with the first, and keeps a
  bit mask of all of them (training reads each rule's pairs off it).
"""

from dataclasses import dataclass

import polars as pl
from pyspark.sql import Window
from pyspark.sql import functions as S

from resolver import frames as F
from resolver.block import (_IDENTITY, DUPLICATE_RULE, LIST_KEYS, UNCAPPED, RuleStats,
                            _refine_keys, check_predicted_pairs, fit_to_ceiling, key_expr)
from resolver.config import BlockCap, BlockingRule, Config
from resolver.spark.kernels import keys_kernel, per_batch
from resolver.spark.session import spark_schema

MASK = "rules_mask"


def representatives(normalized, link_only: bool):
    """(uid, rep): block.duplicate_representatives as a window."""
    columns = [c for c in normalized.columns if c not in _IDENTITY
               and not c.startswith(F.RAW_PREFIX) and not c.endswith("_display")]
    if link_only:
        columns.append(F.SOURCE)
    return normalized.select(F.UID, S.min(F.UID).over(Window.partitionBy(*columns))
                             .alias("rep"))


def key_column(key: str) -> str:
    """A key's column in Spark: "zip5[:3]" would read as a field access there."""
    return "key_" + "".join(c if c.isalnum() else f"_{ord(c)}_" for c in key)


def keys_frame(normalized, normalized_schema: dict, keys: set[str], reps):
    """(uid, source, each key as key_column(key)) of the representatives, the keys computed
    per partition by block.key_expr."""
    ordered = sorted(keys)
    probe = pl.DataFrame(schema=normalized_schema).select(
        F.UID, F.SOURCE, *(key_expr(k) for k in ordered))
    out_schema = {key_column(k) if k not in (F.UID, F.SOURCE) else k: t
                  for k, t in probe.schema.items()}

    def kernel(frame: pl.DataFrame) -> pl.DataFrame:
        return keys_kernel(ordered)(frame).rename(
            {k: key_column(k) for k in ordered})

    frame = normalized.mapInArrow(per_batch(kernel, normalized_schema, out_schema),
                                  spark_schema(out_schema))
    return frame.join(reps.filter(S.col(F.UID) == S.col("rep")).select(F.UID), on=F.UID,
                      how="left_semi"), out_schema


@dataclass
class _Plan:
    rule: BlockingRule
    keyed: object
    sizes: object
    cap: BlockCap
    refine: list[str]
    predicted: int


def _keyed(keys, rule: BlockingRule, schema: dict):
    names = [key_column(k) for k in rule.keys]
    keyed = keys.select(F.UID, F.SOURCE, *names)
    for key, name in zip(rule.keys, names):
        if key in LIST_KEYS or isinstance(schema[name], pl.List):
            keyed = keyed.withColumn(name, S.explode(name))
    return keyed.dropna(subset=names)


def _pairs_of(sizes_filter):
    return S.sum(S.when(sizes_filter, S.col("n") * (S.col("n") - 1) / 2).otherwise(0.0))


def _plan(keys, schema: dict, rule: BlockingRule, cap: BlockCap, records: int) -> _Plan:
    """A rule's blocks, its cap (block._rule_cap) and the pairs it will make."""
    names = [key_column(k) for k in rule.keys]
    keyed = _keyed(keys, rule, schema).cache()
    sizes = keyed.groupBy(*names).agg(S.count(S.lit(1)).alias("n")).cache()
    all_pairs = sizes.agg(_pairs_of(S.lit(True))).first()[0] or 0.0
    if rule.name not in cap.capped and all_pairs <= cap.size / 2 * records:
        cap = BlockCap(UNCAPPED)
    refine = [key_column(k) for k in _refine_keys(rule, cap)]
    predicted = sizes.agg(_pairs_of(S.col("n") <= cap.size)).first()[0] or 0.0
    big = _big(keyed, sizes, names, cap)
    for key in refine:
        predicted += _sub_sizes(big, keys, names, key)[1].agg(
            _pairs_of(S.col("n") <= cap.size)).first()[0] or 0.0
    return _Plan(rule, keyed, sizes, cap, refine, round(predicted))


def _big(keyed, sizes, names, cap):
    return keyed.join(sizes.filter(S.col("n") > cap.size).select(*names), on=names)


def _sub_sizes(big, keys, names, key):
    sub = big.join(keys.select(F.UID, key), on=F.UID).dropna(subset=[key])
    return sub, sub.groupBy(*names, key).agg(S.count(S.lit(1)).alias("n"))


def _block_id(tag: int, columns: list[str]):
    return S.to_json(S.struct(S.lit(tag).alias("t"), *columns)).alias("block")


def _rule_pairs(plan: _Plan, keys, link_only: bool):
    """-> (pairs uid_l < uid_r of one rule, its statistics but new/cumulative pairs)."""
    names, cap, sizes = [key_column(k) for k in plan.rule.keys], plan.cap, plan.sizes
    keep = sizes.filter((S.col("n") > 1) & (S.col("n") <= cap.size)).select(*names)
    members = [plan.keyed.join(keep, on=names).select(F.UID, F.SOURCE, _block_id(0, names))]
    too_big = sizes.filter(S.col("n") > cap.size)
    big = _big(plan.keyed, sizes, names, cap)
    over_blocks, over_records, reached = 0, 0, None
    for tag, key in enumerate(plan.refine, start=1):
        sub, sub_sizes = _sub_sizes(big, keys, names, key)
        sub_sizes = sub_sizes.cache()
        fits = sub_sizes.filter((S.col("n") > 1) & (S.col("n") <= cap.size))
        members.append(sub.join(fits.select(*names, key), on=[*names, key])
                       .select(F.UID, F.SOURCE, _block_id(tag, [*names, key])))
        count, total = sub_sizes.filter(S.col("n") > cap.size).agg(
            S.count(S.lit(1)), S.sum("n")).first()
        over_blocks, over_records = over_blocks + count, over_records + (total or 0)
        split = sub_sizes.filter(S.col("n") > 1).select(*names)
        reached = split if reached is None else reached.unionByName(split)
    too_big_count, too_big_records = too_big.agg(S.count(S.lit(1)), S.sum("n")).first()
    if not plan.refine:
        over_blocks, over_records = too_big_count, too_big_records or 0
    elif reached is not None:
        unsplit = too_big.join(reached.distinct(), on=names, how="left_anti")
        count, total = unsplit.agg(S.count(S.lit(1)), S.sum("n")).first()
        over_blocks, over_records = over_blocks + count, over_records + (total or 0)
    member = members[0]
    for more in members[1:]:
        member = member.unionByName(more)
    a, b = member.alias("a"), member.alias("b")
    cond = (S.col("a.block") == S.col("b.block")) & (S.col(f"a.{F.UID}") < S.col(f"b.{F.UID}"))
    if link_only:
        cond &= S.col(f"a.{F.SOURCE}") != S.col(f"b.{F.SOURCE}")
    pairs = a.join(b, on=cond).select(S.col(f"a.{F.UID}").alias(F.UID_L),
                                      S.col(f"b.{F.UID}").alias(F.UID_R)).distinct()
    largest = [row[0] for row in sizes.select("n").orderBy(S.desc("n")).limit(5).collect()]
    refined = too_big_count if plan.refine else 0
    return pairs, (largest, int(over_blocks), int(over_records), int(refined))


def candidate_pairs(normalized, normalized_schema: dict, config: Config):
    """-> (Spark frame of uid_l, uid_r, blocking_rule, rules_mask; per-rule statistics).
    InputError (before any pair is made) when the rules would pass blocking.max_pairs."""
    link_only = config.link_type == "link_only"
    rules, cap = config.blocking_rules, config.block_cap
    reps = representatives(normalized, link_only).localCheckpoint()
    keys, schema = keys_frame(normalized, normalized_schema,
                              {k for r in rules for k in r.keys} | set(cap.refine_with), reps)
    keys = keys.localCheckpoint()
    records = keys.count()
    made = {}

    def plan(rule: BlockingRule, rule_cap: BlockCap) -> _Plan:
        # a rule's plan depends on the cap through its size and whether it names the rule
        key = (rule.name, rule.name in rule_cap.capped, rule_cap.size)
        if key not in made:
            made[key] = _plan(keys, schema, rule, rule_cap, records)
        return made[key]

    uncapped, configured = {}, set(cap.capped)
    if config.max_pairs is not None:
        if config.cap_to_fit:
            cap, uncapped = fit_to_ceiling(rules, cap, config.max_pairs,
                                           lambda rule, c: plan(rule, c).predicted)
        else:
            check_predicted_pairs({r.name: plan(r, cap).predicted for r in rules},
                                  config.max_pairs)
    fitted_rules = set(cap.capped) - configured
    plans = [plan(rule, cap) for rule in rules]
    found, details = None, []
    for index, plan in enumerate(plans):
        pairs, detail = _rule_pairs(plan, keys, link_only)
        details.append(detail)
        tagged = pairs.withColumn("rule", S.lit(index)).withColumn(
            "bit", S.lit(1 << index).cast("long"))
        found = tagged if found is None else found.unionByName(tagged)
    if found is None:
        return None, []
    found = found.localCheckpoint()
    per_rule = dict(found.groupBy("rule").count().collect())
    pairs = found.groupBy(F.UID_L, F.UID_R).agg(
        S.min("rule").alias("first"),
        S.bit_or("bit").alias(MASK)).localCheckpoint()
    new = dict(pairs.groupBy("first").count().collect())
    stats, cumulative = [], 0
    for index, (plan, detail) in enumerate(zip(plans, details)):
        largest, skipped, skipped_records, refined = detail
        cumulative += new.get(index, 0)
        stats.append(RuleStats(plan.rule.name, per_rule.get(index, 0), new.get(index, 0),
                               cumulative, largest, skipped, skipped_records, refined,
                               uncapped.get(plan.rule.name, 0),
                               cap.size if plan.rule.name in fitted_rules else 0))
    names = S.array(*(S.lit(r.name) for r in rules))
    pairs = pairs.select(F.UID_L, F.UID_R, S.element_at(names, S.col("first") + 1)
                         .alias(F.BLOCKING_RULE), MASK)
    return _with_copies(pairs, reps, link_only), stats


def _with_copies(pairs, reps, link_only: bool):
    """Identical records: paired with their representative, or (link_only) given its
    pairs. Copies are no rule's (mask 0), as block.rule_membership has it."""
    copies = reps.filter(S.col(F.UID) != S.col("rep"))
    if link_only:
        members = reps.select(S.col(F.UID).alias("member"), "rep")
        ends = (pairs.join(members.withColumnRenamed("member", "a"),
                           pairs[F.UID_L] == S.col("rep")).drop("rep")
                .join(members.withColumnRenamed("member", "b"),
                      pairs[F.UID_R] == S.col("rep")).drop("rep"))
        own = (S.col("a") == S.col(F.UID_L)) & (S.col("b") == S.col(F.UID_R))
        return ends.select(S.least("a", "b").alias(F.UID_L), S.greatest("a", "b").alias(F.UID_R),
                           F.BLOCKING_RULE,
                           S.when(own, S.col(MASK)).otherwise(S.lit(0).cast("long")).alias(MASK))
    return pairs.unionByName(copies.select(
        S.col("rep").alias(F.UID_L), S.col(F.UID).alias(F.UID_R),
        S.lit(DUPLICATE_RULE).alias(F.BLOCKING_RULE), S.lit(0).cast("long").alias(MASK)))


def single_rule_pairs(normalized, normalized_schema: dict, rule: BlockingRule, config: Config):
    """block.rule_pairs: every pair one rule produces (a training rule that is no blocking
    rule), identical records once."""
    link_only = config.link_type == "link_only"
    reps = representatives(normalized, link_only)
    keys, schema = keys_frame(normalized, normalized_schema,
                              {*rule.keys, *config.training_cap.refine_with}, reps)
    keys = keys.cache()
    plan = _plan(keys, schema, rule, config.training_cap, keys.count())
    pairs, _ = _rule_pairs(plan, keys, link_only)
    return pairs.withColumn(F.BLOCKING_RULE, S.lit(rule.name))
