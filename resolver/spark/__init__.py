"""The Spark engine: `resolver run CONFIG --engine spark`, the same job on Apache Spark.

Spark does the joins and shuffles; the stage kernels are the project's own pure functions,
run per partition through Arrow (mapInArrow / applyInArrow), so the Spark engine and the
local one compute every value with the same code:

- normalize: each source's date format fixed first (one pass over its distinct dates),
  then normalize_records per partition;
- block: key columns per partition (block.key_expr), blocks and pairs by Spark joins,
  with block.py's cap, refine keys, first-rule-wins and identical-record pairing;
- compare: both records' values joined onto each pair, compare_attached per partition;
- train: random pairs drawn on the driver as the local engine draws them, pattern counts
  and capture counts aggregated by Spark and collected (they are small), EM on the driver;
- score: term-frequency tables counted once and shipped to every task, score_pairs per
  partition;
- cluster: connected components by large-star/small-star (components.py), then the
  guarded clustering per group of components (cluster_individuals, applyInArrow);
- golden records, households and outputs: on the driver, by the local engine's code.

engine.py runs the stages; pyspark is imported only when this engine is asked for.
"""
