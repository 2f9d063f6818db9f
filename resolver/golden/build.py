"""Assemble golden records: survivorship per field, history, counts (households are
attached after, by resolver/households/)."""

import polars as pl

from resolver import frames as F
from resolver.golden.history import entity_stats, history
from resolver.golden.survivorship import survive


def golden_records(records: pl.DataFrame, config) -> pl.DataFrame:
    """records: normalized, with entity_id -> one row per individual (no household yet).

    The work sorts and groups by individual many times over: it runs on integer codes
    numbered in the IDs' own order (3-5x faster than on the strings; every order, and so
    every choice, is the same), and the IDs are put back at the end."""
    code = pl.col(F.ENTITY_ID).rank("dense").cast(pl.UInt32)
    ids = records.select(F.ENTITY_ID, code.alias("code")).unique()
    coded = records.with_columns(code)
    golden = survive(coded, config, config.extra_fields)
    golden = (golden.join(entity_stats(coded), on=F.ENTITY_ID)
              .join(history(coded), on=F.ENTITY_ID).sort(F.ENTITY_ID))
    return (golden.rename({F.ENTITY_ID: "code"})
            .join(ids, on="code", how="left", maintain_order="left")
            .select(F.ENTITY_ID, pl.exclude(F.ENTITY_ID, "code")))
