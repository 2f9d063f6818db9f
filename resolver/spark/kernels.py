"""The stage kernels as Spark runs them: the project's pure functions, applied to each
Arrow batch of a partition. Nothing here looks at more than the batch it is given; what a
kernel needs of the whole data (date formats, term-frequency tables, the model, steward
decisions) is computed first and handed in.
"""

from collections.abc import Callable

import numpy as np
import polars as pl

from resolver import frames as F
from resolver.block import key_expr
from resolver.compare.compute import compare_attached
from resolver.config import Config
from resolver.normalize import normalize_records
from resolver.score.batches import score_pairs
from resolver.score.model import Model
from resolver.score.predict import TermTables, predict
from resolver.spark.session import to_arrow


def per_batch(kernel: Callable[[pl.DataFrame], pl.DataFrame], in_schema: dict,
              out_schema: dict):
    """A mapInArrow function: each non-empty batch cast to its declared schema, through
    the kernel, cast to Spark's types."""
    def run(batches):
        for batch in batches:
            if batch.num_rows == 0:
                continue
            frame = pl.from_arrow(batch).select(list(in_schema)).cast(dict(in_schema))
            out = kernel(frame)
            if out.height:
                yield from to_arrow(out, out_schema).to_batches()
    return run


def normalize_kernel(config: Config) -> Callable:
    """config: with every source's dob format (and dob_max) fixed for the whole run."""
    return lambda records: normalize_records(records, config)


def keys_kernel(keys: list[str]) -> Callable:
    return lambda normalized: normalized.select(F.UID, F.SOURCE, *(key_expr(k) for k in keys))


def compare_kernel(pair_columns: list[str], config: Config) -> Callable:
    return lambda frame: compare_attached(frame, pair_columns, config.comparisons)


def score_kernel(model: Model, config: Config, tables: TermTables,
                 steward: pl.DataFrame) -> Callable:
    """score_pairs on the batch: every pair's weight, probability and decision, with the
    partial weights of those pairs.parquet keeps (null for the others)."""
    def run(gammas: pl.DataFrame) -> pl.DataFrame:
        narrow, detail = score_pairs(gammas, model, config, tables, steward)
        return narrow.join(detail, on=[F.UID_L, F.UID_R], how="left", maintain_order="left")
    return run


def likely_kernel(model: Model, config: Config, tables: TermTables) -> Callable:
    """The pairs the model scores at or above the match threshold, with their rule mask."""
    def run(gammas: pl.DataFrame) -> pl.DataFrame:
        scored = predict(gammas, model, config.comparisons, tables)
        return scored.filter(pl.col(F.MATCH_PROBABILITY) >= config.match_threshold).select(
            "rules_mask")
    return run


def rank_kernel(seed: int) -> Callable:
    """Each pair's place in the run's random order (score/sampling.py), as a signed
    integer Spark can sort."""
    from resolver.score.sampling import pair_rank

    def run(pairs: pl.DataFrame) -> pl.DataFrame:
        rank = pair_rank(pairs.get_column(F.UID_L).to_numpy(),
                         pairs.get_column(F.UID_R).to_numpy(), seed)
        signed = (rank ^ np.uint64(1 << 63)).view(np.int64)
        return pairs.with_columns(pl.Series("rank", signed))
    return run
