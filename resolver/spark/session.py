"""Starting Spark, and moving frames between polars and Spark through Arrow.

Spark has no unsigned integers and its Arrow bridge wants plain (not large) strings and
lists and no dictionaries, so frames cross as int64 / string / list (a categorical as its
strings) and are cast back to their declared schema (resolver/contract.py) on the other
side.
"""

import os
import sys
from pathlib import Path

import polars as pl
import pyarrow as pa

from resolver.errors import ResolverError

_ARROW = {pl.String: pa.string(), pl.Int8: pa.int8(), pl.Int16: pa.int16(),
          pl.Int32: pa.int32(), pl.Int64: pa.int64(), pl.UInt8: pa.int16(),
          pl.UInt16: pa.int32(), pl.UInt32: pa.int64(), pl.UInt64: pa.int64(),
          pl.Float32: pa.float32(), pl.Float64: pa.float64(), pl.Boolean: pa.bool_(),
          pl.Date: pa.date32(), pl.Categorical: pa.string()}


def arrow_type(dtype: pl.DataType) -> pa.DataType:
    if isinstance(dtype, pl.Datetime):
        return pa.timestamp("us")
    if isinstance(dtype, pl.List):
        return pa.list_(arrow_type(dtype.inner))
    if isinstance(dtype, pl.Struct):
        return pa.struct([pa.field(f.name, arrow_type(f.dtype)) for f in dtype.fields])
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


def local_driver_memory(master: str | None) -> str | None:
    """The driver JVM's heap for a local master when the user set none: 3/8 of the
    machine's memory. Under local[*] that JVM is the whole of Spark (executors are its
    threads), and Spark's default of 1g fails on a million records; the driver's Python
    process holds the collected frames, about as large again, and the Python workers
    need the rest. (At 1.2M records on 24 GiB, 9g completed; 12g left too little and
    the kernel stopped the run.) Set spark.driver.memory yourself (spark-submit
    --driver-memory, PYSPARK_SUBMIT_ARGS, SPARK_DRIVER_MEMORY or spark-defaults.conf)
    and it stands."""
    if not master or not master.startswith("local"):
        return None
    submit = os.environ.get("PYSPARK_SUBMIT_ARGS", "")
    if ("--driver-memory" in submit or "spark.driver.memory" in submit
            or os.environ.get("SPARK_DRIVER_MEMORY") or _in_spark_defaults("spark.driver.memory")):
        return None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    return f"{max(1, total * 3 // 8 // 2 ** 30)}g"


def _in_spark_defaults(key: str) -> bool:
    folder = os.environ.get("SPARK_CONF_DIR") or (
        os.path.join(os.environ["SPARK_HOME"], "conf") if os.environ.get("SPARK_HOME") else None)
    defaults = Path(folder, "spark-defaults.conf") if folder else None
    return bool(defaults and defaults.is_file() and any(
        line.split()[:1] == [key] for line in defaults.read_text().splitlines()))


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
    memory = local_driver_memory(master)
    if memory:
        builder = builder.config("spark.driver.memory", memory)
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
