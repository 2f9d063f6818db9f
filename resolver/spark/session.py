"""Starting Spark, and moving frames between polars and Spark through Arrow.

Spark has no unsigned integers and its Arrow bridge wants plain (not large) strings and
lists, so frames cross as int64 / string / list and are cast back to their declared
schema (resolver/contract.py) on the other side.
"""

import os
import sys

import polars as pl
import pyarrow as pa

from resolver.errors import ResolverError

_ARROW = {pl.String: pa.string(), pl.Int8: pa.int8(), pl.Int16: pa.int16(),
          pl.Int32: pa.int32(), pl.Int64: pa.int64(), pl.UInt8: pa.int16(),
          pl.UInt16: pa.int32(), pl.UInt32: pa.int64(), pl.UInt64: pa.int64(),
          pl.Float32: pa.float32(), pl.Float64: pa.float64(), pl.Boolean: pa.bool_(),
          pl.Date: pa.date32()}


def arrow_type(dtype: pl.DataType) -> pa.DataType:
    if isinstance(dtype, pl.Datetime):
        return pa.timestamp("us")
    if isinstance(dtype, pl.List):
        return pa.list_(arrow_type(dtype.inner))
    return _ARROW[dtype.base_type()]


def arrow_schema(schema: dict) -> pa.Schema:
    return pa.schema([pa.field(name, arrow_type(dtype)) for name, dtype in schema.items()])


def spark_schema(schema: dict):
    """The Spark schema a frame of this polars schema crosses as."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema(schema))


def to_arrow(frame: pl.DataFrame, schema: dict) -> pa.Table:
    """A polars frame as the Arrow table Spark takes: declared columns, Spark's types."""
    frame = frame.select(list(schema)).cast(dict(schema))
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest()).cast(arrow_schema(schema))


def from_spark(frame, schema: dict) -> pl.DataFrame:
    """Collect a Spark frame to the driver, cast back to its declared polars schema."""
    table = frame.toArrow()
    if not table.num_rows:
        return pl.DataFrame(schema=dict(schema))
    return pl.from_arrow(table).select(list(schema)).cast(dict(schema))


def to_spark(spark, frame: pl.DataFrame, schema: dict, partitions: int | None = None):
    """A driver-side polars frame as a Spark frame (records, random pairs, decisions)."""
    table = to_arrow(frame, schema)
    out = spark.createDataFrame(table, schema=spark_schema(schema))
    return out.repartition(partitions) if partitions else out


def spark_session(master: str | None, partitions: int | None):
    """-> (SparkSession, shuffle partitions). Exit 2 (ResolverError) when pyspark is not
    installed or Spark cannot start (no Java)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ResolverError("--engine spark needs pyspark: pip install "
                            "'customer-resolver[spark]'") from None
    # executors of a local master run this interpreter, with this environment's packages
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("resolver")
    if master:
        builder = builder.master(master)
    try:
        spark = (builder.config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.sql.session.timeZone", "UTC")
                 .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                 # the driver collects the normalized records and scored pairs (golden
                 # records and outputs are built there): Spark's default cap of 1g on
                 # collected results stopped a 1.2M-record run at the scored pairs
                 .config("spark.driver.maxResultSize", "0")
                 .getOrCreate())
    except Exception as exc:  # pyspark raises its own runtime errors when Java is missing
        raise ResolverError(f"Spark could not start ({type(exc).__name__}). It needs Java 17 "
                            "or later on PATH (or JAVA_HOME); on Debian: apt-get install "
                            "openjdk-17-jre-headless. Check --master") from None
    spark.sparkContext.setLogLevel("ERROR")
    partitions = partitions or max(2, 2 * spark.sparkContext.defaultParallelism)
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    return spark, partitions
