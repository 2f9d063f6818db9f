"""Assemble golden records: survivorship per field, history, counts, household links."""

import polars as pl

from resolver import frames as F
from resolver.cluster.households import assign_households, household_table
from resolver.golden.history import entity_stats, history
from resolver.golden.survivorship import survive


def golden_records(records: pl.DataFrame, config) -> pl.DataFrame:
    """records: normalized, with entity_id -> one row per individual (no household yet)."""
    golden = survive(records, config, config.extra_fields)
    return (golden.join(entity_stats(records), on=F.ENTITY_ID)
            .join(history(records), on=F.ENTITY_ID).sort(F.ENTITY_ID))


def with_households(golden: pl.DataFrame, records: pl.DataFrame,
                    enabled: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Attach household_id to each golden record; -> (golden, households)."""
    current = records.select(pl.col(F.SOURCE).alias("address_source"),
                             pl.col(F.RECORD_ID).alias("address_record_id"), F.ADDRESS_KEY)
    keyed = golden.join(current, on=["address_source", "address_record_id"], how="left")
    if not enabled:
        keyed = keyed.with_columns(pl.lit(None, pl.String).alias(F.ADDRESS_KEY))
    households = assign_households(keyed.select(F.ENTITY_ID, F.ADDRESS_KEY, F.PHONE, F.EMAIL))
    golden = golden.join(households, on=F.ENTITY_ID).select(
        F.ENTITY_ID, F.HOUSEHOLD_ID, pl.exclude(F.ENTITY_ID, F.HOUSEHOLD_ID)).sort(F.ENTITY_ID)
    return golden, household_table(golden)
