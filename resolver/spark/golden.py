"""Golden records on Spark: the records grouped by individual, survivorship per group.

Each individual's records are brought together by a shuffle on a bucket of its ID (a
group of whole individuals per call, not one call per individual), and the local
engine's golden_records runs on each bucket. What comes back is one row per individual,
the local engine's frame row for row.
"""

import polars as pl
from pyspark.sql import functions as S

from resolver import frames as F
from resolver.config import Config
from resolver.golden.build import golden_records
from resolver.spark.session import from_spark, spark_schema, to_arrow, to_spark


def golden_kernel(config: Config):
    """Whole individuals' resolved records, in any order (a shuffle delivers them so;
    survivorship breaks its ties by uid) -> their golden records."""
    return lambda resolved: golden_records(resolved, config)


def golden_schema(config: Config, resolved_schema: dict) -> dict:
    """The golden frame's schema, from the kernel itself on no records."""
    return dict(golden_kernel(config)(pl.DataFrame(schema=resolved_schema)).schema)


def golden_on_spark(spark, config: Config, normalized_sdf, normalized_schema: dict,
                    entity_of: pl.DataFrame, partitions: int) -> pl.DataFrame:
    """entity_of: (uid, entity_id) of every record -> golden records (no households yet),
    sorted by entity_id as the local engine's."""
    resolved_schema = {**normalized_schema, F.ENTITY_ID: pl.String}
    out_schema = golden_schema(config, resolved_schema)
    kernel = golden_kernel(config)
    ids = to_spark(spark, entity_of, {F.UID: normalized_schema[F.UID], F.ENTITY_ID: pl.String})
    resolved = normalized_sdf.join(ids, on=F.UID).withColumn(
        "bucket", S.pmod(S.xxhash64(F.ENTITY_ID), S.lit(partitions)))

    def run(table):
        frame = pl.from_arrow(table).select(list(resolved_schema)).cast(resolved_schema)
        return to_arrow(kernel(frame), out_schema)

    golden = resolved.groupBy("bucket").applyInArrow(run, spark_schema(out_schema))
    return from_spark(golden, out_schema).sort(F.ENTITY_ID)
