"""Links -> individuals on Spark: connected components of the links and steward
must-links (components.py), then the local engine's guarded clustering
(cluster_individuals) on each group of components, in one task per group.

Clustering is decided inside one component (joins, guards and support never cross one,
as the incremental run relies on too), so clustering a group of components at once gives
what clustering each alone, or all together, gives. A task receives its components'
records (with the values the guards read), links, scored pairs and steward decisions,
renumbers the records 0..m-1 in uid order (which keeps every tie-break of the local
engine), and returns each record's cluster root and flag, and the links a guard refused.
A component is never cut: one larger than COMPONENT_WARN records is clustered whole, in
one task, with a warning.
"""

import numpy as np
import polars as pl
from pyspark.sql import functions as S

from resolver import frames as F
from resolver.cluster.conflicts import model_checkers
from resolver.cluster.individuals import REFUSED_SCHEMA, Clustering, cluster_individuals
from resolver.config import Config
from resolver.cluster.strong import strong_values
from resolver.score.model import Model
from resolver.spark.components import DST, SRC, connected_components
from resolver.spark.session import spark_schema, to_spark

COMPONENT_WARN = 100_000  # records in one component: clustered in one task
NODE, LINK, PAIR, DECISION = 0, 1, 2, 3


def strong_columns(config: Config) -> list[str]:
    """The normalized columns cluster/strong.py reads."""
    by_name = {"dob": [F.DOB_TEXT], "suffix": [F.SUFFIX],
               "first_name": [F.FIRST_NAME, F.LAST_NAME]}
    return sorted({c for name in config.strong_identifiers for c in by_name.get(name, [name])})


def _task_schema(config: Config) -> dict:
    return {"kind": pl.Int8, "a": pl.Int64, "b": pl.Int64, "weight": pl.Float64,
            "decision": pl.String, **{c: pl.String for c in strong_columns(config)}}


OUT_SCHEMA = {"kind": pl.Int8, "a": pl.Int64, "b": pl.Int64, "text": pl.String}


def cluster_kernel(model: Model, config: Config):
    """applyInArrow: one group of components -> (NODE, uid, root, flag) per record and
    (LINK, uid_l, uid_r, reason) per refused link."""
    schema = _task_schema(config)
    columns = strong_columns(config)

    def run(table):
        frame = pl.from_arrow(table).select(list(schema)).cast(schema)
        nodes = frame.filter(pl.col("kind") == NODE).select("a", *columns).unique("a")
        uids = nodes.get_column("a").to_numpy()
        # ends of no_match decisions outside these components: records links do not touch,
        # numbered among the others as the local engine numbers them
        ends = frame.filter(pl.col("kind") == DECISION)
        outside = np.setdiff1d(np.concatenate([ends.get_column("a").to_numpy(),
                                               ends.get_column("b").to_numpy()]), uids)
        everyone = pl.concat([nodes, pl.DataFrame({"a": outside}, schema={"a": pl.Int64})],
                             how="diagonal").sort("a")
        local = {u: i for i, u in enumerate(everyone.get_column("a").to_list())}
        ids = everyone.get_column("a").to_numpy()

        def renumbered(kind: int, value: str | None = None, name: str | None = None):
            part = frame.filter(pl.col("kind") == kind).sort("a", "b")
            out = part.select(pl.col("a").replace_strict(local).alias(F.UID_L),
                              pl.col("b").replace_strict(local).alias(F.UID_R))
            return out.with_columns(part.get_column(value).alias(name)) if value else out

        strong = strong_values(everyone, config.strong_identifiers)
        checks = model_checkers(model, config.comparisons, config.strong_identifiers,
                                config.match_threshold, config.review_threshold)
        result = cluster_individuals(
            len(ids), renumbered(LINK, "weight", F.MATCH_WEIGHT), strong,
            renumbered(DECISION, "decision", "decision"), config.max_cluster_size, checks,
            renumbered(PAIR, "weight", F.MATCH_PROBABILITY), config.review_threshold)
        everyone = ids
        inside = np.array([local[int(u)] for u in uids.tolist()], dtype=np.int64)
        roots = result.cluster_of[inside]
        out = pl.DataFrame({"kind": pl.Series([NODE] * len(uids), dtype=pl.Int8), "a": uids,
                            "b": everyone[roots],
                            "text": [result.flags.get(int(r)) for r in roots.tolist()]},
                           schema=OUT_SCHEMA)
        refused = result.refused
        out = pl.concat([out, pl.DataFrame({
            "kind": pl.Series([LINK] * refused.height, dtype=pl.Int8),
            "a": everyone[refused.get_column(F.UID_L).to_numpy().astype(np.int64)],
            "b": everyone[refused.get_column(F.UID_R).to_numpy().astype(np.int64)],
            "text": refused.get_column("reason")}, schema=OUT_SCHEMA)])
        from resolver.spark.session import to_arrow

        return to_arrow(out, OUT_SCHEMA)
    return run


def cluster_on_spark(spark, config: Config, model: Model, n_records: int, normalized_sdf,
                     scored_sdf, steward: pl.DataFrame, partitions: int, warn=None
                     ) -> Clustering:
    links = scored_sdf.filter(S.col(F.DECISION) == "match").select(
        S.col(F.UID_L).alias("a"), S.col(F.UID_R).alias("b"),
        S.col(F.MATCH_WEIGHT).alias("weight"))
    decisions = to_spark(spark, steward.select(F.UID_L, F.UID_R, "decision"),
                         {F.UID_L: pl.Int64, F.UID_R: pl.Int64, "decision": pl.String})
    must = decisions.filter(S.col("decision") == "match")
    edges = links.select(S.col("a").alias(SRC), S.col("b").alias(DST)).unionByName(
        must.select(S.col(F.UID_L).alias(SRC), S.col(F.UID_R).alias(DST)))
    component = connected_components(edges).cache()
    largest = component.groupBy("component").count().agg(S.max("count")).first()[0] or 0
    if largest > COMPONENT_WARN and warn:
        warn(f"a connected component of {largest:,} linked records is clustered whole in "
             "one task; raise the match threshold or add a strong identifier if this is "
             "slow")
    group = component.select(S.col("node"), S.col("component"),
                             S.pmod(S.xxhash64("component"), S.lit(partitions)).alias("group"))
    at = {end: group.select(S.col("node").alias(end), S.col("component").alias(f"c_{end}"),
                            S.col("group").alias(f"g_{end}")) for end in ("a", "b")}
    columns = strong_columns(config)
    nodes = group.join(normalized_sdf.select(S.col(F.UID).alias("node"), *columns), on="node")
    rows = [nodes.select("group", S.lit(NODE).cast("byte").alias("kind"),
                         S.col("node").alias("a"), S.lit(None).cast("long").alias("b"),
                         S.lit(None).cast("double").alias("weight"),
                         S.lit(None).cast("string").alias("decision"), *columns)]

    def both_in_one(frame, kind: int, weight, decision):
        joined = frame.join(at["a"], on="a").join(at["b"], on="b").filter(
            S.col("c_a") == S.col("c_b"))
        return joined.select(S.col("g_a").alias("group"), S.lit(kind).cast("byte").alias("kind"),
                             "a", "b", weight.alias("weight"), decision.alias("decision"),
                             *(S.lit(None).cast("string").alias(c) for c in columns))

    none = S.lit(None).cast("string")
    rows.append(both_in_one(links, LINK, S.col("weight"), none))
    pairs = scored_sdf.select(S.col(F.UID_L).alias("a"), S.col(F.UID_R).alias("b"),
                              S.col(F.MATCH_PROBABILITY).alias("p"))
    rows.append(both_in_one(pairs, PAIR, S.col("p"), none))
    # a decision goes to the group of each end links touch (cluster_individuals looks at
    # the components of both ends)
    named = decisions.select(S.col(F.UID_L).alias("a"), S.col(F.UID_R).alias("b"), "decision")
    for end in ("a", "b"):
        rows.append(named.join(at[end], on=end).select(
            S.col(f"g_{end}").alias("group"), S.lit(DECISION).cast("byte").alias("kind"), "a",
            "b", S.lit(None).cast("double").alias("weight"), "decision",
            *(S.lit(None).cast("string").alias(c) for c in columns)))
    tasks = rows[0]
    for more in rows[1:]:
        tasks = tasks.unionByName(more)
    tasks = tasks.dropDuplicates(["group", "kind", "a", "b"])
    out = tasks.groupBy("group").applyInArrow(cluster_kernel(model, config),
                                              spark_schema(OUT_SCHEMA))
    return _clustering(n_records, pl.from_arrow(out.toArrow()))


def _clustering(n_records: int, result: pl.DataFrame) -> Clustering:
    cluster_of = np.arange(n_records, dtype=np.int64)
    flags: dict[int, str] = {}
    if result.height:
        nodes = result.filter(pl.col("kind") == NODE)
        cluster_of[nodes.get_column("a").to_numpy()] = nodes.get_column("b").to_numpy()
        for root, flag in (nodes.filter(pl.col("text").is_not_null()).select("b", "text")
                           .unique().sort("b").iter_rows()):
            flags[int(root)] = flag
        refused = result.filter(pl.col("kind") == LINK).select(
            pl.col("a").alias(F.UID_L), pl.col("b").alias(F.UID_R),
            pl.col("text").alias("reason"))
    else:
        refused = pl.DataFrame(schema=REFUSED_SCHEMA)
    return Clustering(cluster_of, refused.cast(REFUSED_SCHEMA).sort(F.UID_L, F.UID_R), flags)
