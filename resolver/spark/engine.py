"""`resolver run --engine spark`: the stages of pipeline.run_pipeline, on Spark.

Spark holds the records, normalized records, candidate pairs and scored pairs; the driver
holds what the outputs are written from (the normalized records, the scored pairs and
each record's cluster, collected once each) and builds golden records, households and the
output frames with the local engine's own functions, so the output folder is the local
engine's, file for file.
"""

import datetime as dt
from dataclasses import replace

import polars as pl
from pyspark.sql import functions as S

from resolver import contract
from resolver import frames as F
from resolver.compare.compute import needed_columns
from resolver.config import Config
from resolver.decisions import decision_pairs, read_decisions
from resolver.golden.ids import assign_entity_ids
from resolver.ingest import ingest
from resolver.normalize.dates import detect_date_format
from resolver.output import read_previous
from resolver.pipeline import (RunResult, StageMeter, _stage, golden_stage,
                               blocking_warnings, peak_memory_mb,
                               with_cap_as_run)
from resolver.score.model import load_model
from resolver.score.predict import term_tables
from resolver.store import frequency_frame, scoring_frequencies, tf_columns
from resolver.spark.blocking import MASK, candidate_pairs
from resolver.spark.clusters import cluster_on_spark
from resolver.spark.golden import golden_on_spark
from resolver.spark.kernels import compare_kernel, normalize_kernel, per_batch, score_kernel
from resolver.spark.session import from_spark, spark_schema, spark_session, to_spark
from resolver.spark.training import train_on_spark


def detected_formats(config: Config, records) -> dict[str, str | None]:
    """source -> the dob format detected over the source's distinct dates (as the local
    engine detects it over the whole column), for sources that declare none."""
    out = {}
    for source in config.sources:
        if source.formats.get("dob"):
            continue
        distinct = (records.filter(S.col(F.SOURCE) == source.name)
                    .select(F.raw("dob")).distinct().toArrow())
        values = (pl.from_arrow(distinct).to_series() if distinct.num_rows
                  else pl.Series([], dtype=pl.String))
        out[source.name] = detect_date_format(values, config.default_region)
    return out


def fixed_formats(config: Config, formats: dict[str, str | None]) -> Config:
    """The config with what a kernel must not decide per partition fixed for the run:
    each source's dob format and the latest valid birth date (the day of the run)."""
    sources = tuple(replace(s, formats={**s.formats, "dob": formats[s.name]})
                    if not s.formats.get("dob") and formats.get(s.name) else s
                    for s in config.sources)
    return replace(config, sources=sources, dob_max=config.dob_max or dt.date.today())


class SparkStages:
    """The frames a run keeps on Spark, and comparing pairs against them."""

    def __init__(self, spark, config: Config, partitions: int):
        self.spark, self.config, self.partitions = spark, config, partitions
        self.normalized = None
        self.normalized_schema: dict = {}
        self.gamma_schema: dict = {}

    def normalize(self, records_sdf, records_schema: dict, fixed: Config):
        self.normalized_schema = contract.normalized_schema(fixed)
        self.gamma_schema = {**contract.compared_schema(self.config, self.normalized_schema),
                             MASK: pl.Int64}
        self.normalized = records_sdf.mapInArrow(
            per_batch(normalize_kernel(fixed), records_schema, self.normalized_schema),
            spark_schema(self.normalized_schema)).localCheckpoint()
        return self.normalized

    def compare(self, pairs):
        """pairs (uid_l, uid_r, blocking_rule[, rules_mask]) -> compared pairs: both
        records' values joined on, compare_attached per partition."""
        if MASK not in pairs.columns:
            pairs = pairs.withColumn(MASK, S.lit(0).cast("long"))
        columns = needed_columns(self.config.comparisons)
        side = {end: self.normalized.select(
            S.col(F.UID).alias(uid), *(S.col(c).alias(f"{c}_{end}") for c in columns))
            for end, uid in (("l", F.UID_L), ("r", F.UID_R))}
        attached = pairs.join(side["l"], on=F.UID_L).join(side["r"], on=F.UID_R)
        pair_columns = [F.UID_L, F.UID_R, F.BLOCKING_RULE, MASK]
        in_schema = {**contract.pairs_schema(), MASK: pl.Int64,
                     **{f"{c}_{end}": self.normalized_schema[c]
                        for end in ("l", "r") for c in columns}}
        return attached.mapInArrow(
            per_batch(compare_kernel(pair_columns, self.config), in_schema, self.gamma_schema),
            spark_schema(self.gamma_schema))


def frequency_counts_on_spark(normalized, config: Config, schema: dict) -> pl.DataFrame:
    """store.frequency_counts: records per combination of the term-frequency values."""
    columns = tf_columns(config)
    if not columns:
        return pl.DataFrame({"count": pl.Series([], dtype=pl.UInt32)})
    counted = normalized.groupBy(*columns).agg(S.count(S.lit(1)).alias("count"))
    return (from_spark(counted, {**{c: schema[c] for c in columns}, "count": pl.UInt32})
            .sort(columns, nulls_last=True))


def run_spark_pipeline(config: Config, previous=None, progress=None, warn=None,
                       master: str | None = "local[*]", partitions: int | None = None
                       ) -> RunResult:
    spark, partitions = spark_session(master, partitions)
    engine = SparkStages(spark, config, partitions)
    t = StageMeter()
    with _stage(t, "ingest", progress):
        records = ingest(config)
        contract.check(records, "records", config)
        prior_ids = read_previous(previous) if previous else None
        decisions = read_decisions(config.decisions_path)
        records_schema = contract.records_schema(config)
        records_sdf = to_spark(spark, records, records_schema, partitions)
    with _stage(t, "normalize", progress):
        normalized_sdf = engine.normalize(records_sdf, records_schema,
                                          fixed_formats(config, detected_formats(
                                              config, records_sdf)))
        normalized = from_spark(normalized_sdf, engine.normalized_schema).sort(F.UID)
        contract.check(normalized, "normalized", config, engine.normalized_schema)
    with _stage(t, "block", progress):
        pairs_sdf, blocking = candidate_pairs(normalized_sdf, engine.normalized_schema, config)
        config = with_cap_as_run(config, blocking)
        for line in blocking_warnings(blocking, config):
            if warn:
                warn(line)
    with _stage(t, "compare", progress):
        # checkpoints cut each stage's plan: later stages join these frames several
        # times, and planning the whole lineage again each time costs more than the work
        gammas = engine.compare(pairs_sdf.repartition(partitions)).localCheckpoint()
    with _stage(t, "train", progress):
        steward, unknown = decision_pairs(decisions, records)
        counts = frequency_counts_on_spark(normalized_sdf, config, engine.normalized_schema)
        model = (load_model(config.model_path, config.comparisons)
                 if config.model_path and config.model_path.is_file()
                 else train_on_spark(spark, config, records, engine, gammas, steward,
                                     term_tables(frequency_frame(counts), config.comparisons)))
    with _stage(t, "score", progress):
        frequencies = (scoring_frequencies(config, normalized)
                       if config.term_frequencies_path else counts)
        tables = term_tables(frequency_frame(frequencies), config.comparisons)
        scored_schema = contract.scored_schema(config)
        weights_schema = contract.weights_schema(config)
        out_schema = {**scored_schema, **{c: t for c, t in weights_schema.items()
                                          if c not in scored_schema}}
        scored_sdf = gammas.mapInArrow(
            per_batch(score_kernel(model, config, tables, steward), engine.gamma_schema,
                      out_schema), spark_schema(out_schema)).localCheckpoint()
        scored = from_spark(scored_sdf, scored_schema).sort(F.UID_L, F.UID_R)
        contract.check(scored, "scored", config, scored_schema)
        weights = from_spark(scored_sdf.filter(_kept(config)), weights_schema).sort(
            F.UID_L, F.UID_R)
    with _stage(t, "cluster", progress):
        clustering = cluster_on_spark(spark, config, model, records.height, normalized_sdf,
                                      scored_sdf, steward, partitions, warn)
        members = records.select(pl.Series("cluster", clustering.cluster_of), F.RECORD_KEY)
        ids, changes = assign_entity_ids(members, prior_ids)
    for frame in (gammas, scored_sdf):  # the golden stage needs the room
        frame.unpersist()
    with _stage(t, "golden", progress):
        entities, households, lineage, pair_output = golden_stage(
            config, normalized, ids, clustering, scored, weights,
            golden=lambda entity_of: golden_on_spark(
                spark, config, normalized_sdf, engine.normalized_schema, entity_of,
                partitions))
    normalized_sdf.unpersist()
    return RunResult(config, records, normalized, scored, model, blocking, clustering,
                     lineage, entities, households, pair_output, changes, unknown, t,
                     peak_memory_mb(t), steward, frequencies)


def _kept(config: Config):
    """score/batches.kept_for_output, spelt for Spark."""
    return ((S.col(F.MATCH_PROBABILITY) >= config.review_threshold)
            | (S.col(F.DECISION_SOURCE) == "steward"))
