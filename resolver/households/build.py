"""The households stage: golden records in, each with its household ID, and the
households table out."""

import polars as pl

from resolver import frames as F
from resolver.households.assign import PERSON_COLUMNS, assign_households, household_table
from resolver.households.moves import address_history


def with_households(golden: pl.DataFrame, records: pl.DataFrame,
                    enabled: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Attach household_id to each golden record; -> (golden, households)."""
    parts = (F.HOUSE_NUMBER, F.STREET_NAME, F.UNIT_NUMBER, F.ZIP5, F.CITY, F.ADDRESS_KEY)
    lineage = ["address_source", "address_record_id"]  # the record the address came from
    current = records.select(pl.col(F.SOURCE).alias(lineage[0]),
                             pl.col(F.RECORD_ID).alias(lineage[1]), *parts, F.BUILDING_KEY)
    # the surviving address may lack the unit that the individual's other records at
    # the same building give
    known_units = (records.select(F.ENTITY_ID, F.BUILDING_KEY, F.UNIT_NUMBER)
                   .filter(pl.col(F.UNIT_NUMBER).is_not_null())
                   .group_by(F.ENTITY_ID, F.BUILDING_KEY)
                   .agg(pl.col(F.UNIT_NUMBER).mode().sort().first().alias("known_unit")))
    people = (golden.select(F.ENTITY_ID, *lineage,
                            pl.col("last_name").str.to_lowercase().alias(F.LAST_NAME),
                            F.PHONE, F.EMAIL)
              .join(current, on=lineage, how="left")
              .join(known_units, on=[F.ENTITY_ID, F.BUILDING_KEY], how="left")
              .with_columns(pl.coalesce(F.UNIT_NUMBER, "known_unit").alias(F.UNIT_NUMBER)))
    if not enabled:  # every individual is a household of one: nothing links them
        people = people.with_columns(pl.lit(None, pl.String).alias(c)
                                     for c in (*parts, F.PHONE, F.EMAIL))
        return _attach(golden, assign_households(people.select(PERSON_COLUMNS)))
    # every phone and email of the individual's records, not only the surviving ones: a
    # landline that one source gives is what links a household member without an address
    contacts = pl.concat([records.select(F.ENTITY_ID, pl.lit(kind).alias("kind"),
                                         pl.col(c).alias("value"))
                          for c, kind in ((F.PHONE, "phone"), (F.EMAIL, "email"))]
                         ).drop_nulls().unique()
    return _attach(golden, assign_households(people.select(PERSON_COLUMNS), contacts,
                                             address_history(records)))


def _attach(golden: pl.DataFrame, households: pl.DataFrame) -> tuple[pl.DataFrame,
                                                                     pl.DataFrame]:
    golden = golden if golden.get_column(F.ENTITY_ID).is_sorted() else golden.sort(F.ENTITY_ID)
    # the household IDs are lined up with the golden records by a join of the IDs alone
    # and added as a column: joining and sorting the golden records themselves gathered
    # their history lists row by row, twice (1-4 s at 1.2M records). One chunk a column,
    # as the join and sort gave, so the file's layout is the same.
    ids = golden.select(F.ENTITY_ID).join(households, on=F.ENTITY_ID, how="left",
                                          maintain_order="left").get_column(F.HOUSEHOLD_ID)
    if ids.null_count():
        raise ValueError("an individual has no household")
    golden = golden.insert_column(1, ids).rechunk()
    return golden, household_table(golden)
