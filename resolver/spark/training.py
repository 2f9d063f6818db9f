"""Training on Spark: what the model is fitted from, gathered as counts.

The fit itself is score/train.py's (fit_unsupervised, fit_supervised), on the driver.
What it reads of the data is small and is computed by Spark:
- u: the random pairs the local engine draws (estimate.random_pairs, by seed, on the
  driver), compared on Spark, counted per level;
- each training rule's pairs, sampled as score/sampling.py does (the same pairs whatever
  the partitioning), as distinct comparison patterns with their counts;
- every candidate's pattern, counted;
- the blocking-recall estimate: the rules producing each sampled candidate the model
  scores as a likely match, counted per set of rules.
EM over pattern counts is EM over the pairs (estimate.gamma_patterns), so the model is the
local engine's, bit for bit.
"""

import numpy as np
import polars as pl
from pyspark.sql import functions as S

from resolver import frames as F
from resolver.config import Config
from resolver.score.estimate import PATTERN_COUNT, level_counts, random_pairs
from resolver.score.predict import TermTables
from resolver.score.train import (RULE_SAMPLE_PAIRS, fit_supervised, fit_unsupervised,
                                  labels_from_decisions, total_pairs, u_sample_size)
from resolver.spark.blocking import MASK, single_rule_pairs
from resolver.spark.kernels import likely_kernel, per_batch, rank_kernel
from resolver.spark.session import from_spark, spark_schema, to_spark


def sampled(pairs, n: int, seed: int):
    """The n pairs first in the seed's order (score/sampling.sample_pairs), or all."""
    if pairs.count() <= n:
        return pairs
    schema = {F.UID_L: pl.Int64, F.UID_R: pl.Int64}
    ranks = pairs.select(F.UID_L, F.UID_R).mapInArrow(
        per_batch(rank_kernel(seed), schema, {**schema, "rank": pl.Int64}),
        spark_schema({**schema, "rank": pl.Int64}))
    last = ranks.select("rank").orderBy("rank").limit(n).agg(S.max("rank")).first()[0]
    chosen = ranks.filter(S.col("rank") <= last).select(F.UID_L, F.UID_R)
    return pairs.join(chosen, on=[F.UID_L, F.UID_R], how="left_semi")


def patterns(gammas, config: Config) -> pl.DataFrame:
    columns = [F.gamma(c.name) for c in config.comparisons]
    counted = gammas.groupBy(*columns).agg(S.count(S.lit(1)).alias(PATTERN_COUNT))
    return from_spark(counted, {**{c: pl.Int8 for c in columns}, PATTERN_COUNT: pl.Int64})


def train_on_spark(spark, config: Config, records: pl.DataFrame, engine, gammas,
                   steward: pl.DataFrame, tables: TermTables):
    """engine: compares pairs on Spark (engine.compare), knows the normalized frame."""
    link_only = config.link_type == "link_only"
    draw = random_pairs(records, u_sample_size(config, records.height), config.seed,
                        link_only)
    random = engine.compare(to_spark(spark, draw, dict(F.PAIR_SCHEMA), engine.partitions))
    u_counts = level_counts(from_spark(random, engine.gamma_schema), config.comparisons)
    all_pairs = total_pairs(records, link_only)
    if steward.height:
        decided = to_spark(spark, steward.select(F.UID_L, F.UID_R),
                           {F.UID_L: pl.Int64, F.UID_R: pl.Int64})
        labelled = from_spark(gammas.join(decided, on=[F.UID_L, F.UID_R], how="left_semi"),
                              engine.gamma_schema).sort(F.UID_L, F.UID_R)
        labels = labels_from_decisions(steward, labelled)
        if labels is not None and labels.height:
            model = fit_supervised(config, u_counts, labelled.join(
                labels, on=[F.UID_L, F.UID_R], how="inner"), all_pairs)
            if model is not None:
                return model
    sample = sampled(gammas, RULE_SAMPLE_PAIRS, config.seed).cache()
    rule_gammas = {}
    for rule in config.training_rules:
        if rule in config.blocking_rules:
            bit = 1 << config.blocking_rules.index(rule)
            pairs = sample.filter((S.col(MASK).bitwiseAND(S.lit(bit))) != 0)
            rule_gammas[rule.name] = patterns(
                sampled(pairs, config.max_training_pairs, config.seed), config)
        else:
            pairs = single_rule_pairs(engine.normalized, engine.normalized_schema, rule, config)
            pairs = sampled(pairs, config.max_training_pairs, config.seed).withColumn(
                MASK, S.lit(0).cast("long"))
            rule_gammas[rule.name] = patterns(engine.compare(pairs), config)
    candidates = patterns(gammas, config)

    def likely_captures(model):
        likely = sample.mapInArrow(
            per_batch(likely_kernel(model, config, tables), engine.gamma_schema,
                      {MASK: pl.Int64}), spark_schema({MASK: pl.Int64}))
        counts = likely.groupBy(MASK).count().collect()
        if not sum(row[1] for row in counts):
            return None
        return captures_of(counts, len(config.blocking_rules))

    return fit_unsupervised(config, u_counts, rule_gammas, candidates, all_pairs,
                            likely_captures)


def captures_of(counts, n_rules: int) -> pl.DataFrame:
    """(mask, pairs) counts -> one row per likely pair some rule produces, with its rules
    (blocking_recall.rule_captures' `rules`)."""
    rows = []
    for mask, count in sorted(counts):
        rules = [k for k in range(n_rules) if (mask >> k) & 1]
        if rules:
            rows.append((rules, count))
    repeats = np.array([c for _, c in rows], dtype=np.int64)
    lists = pl.Series("rules", [r for r, _ in rows], dtype=pl.List(pl.UInt16))
    return pl.DataFrame([lists])[np.repeat(np.arange(len(rows)), repeats)] if rows else \
        pl.DataFrame(schema={"rules": pl.List(pl.UInt16)})
