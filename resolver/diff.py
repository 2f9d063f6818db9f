"""What changed between two runs, per individual and per household, for downstream
systems (`resolver diff OLD NEW`) and for a run's changes.parquet under --previous.

Individuals are followed by their records (source:record_id), so any two outputs can be
compared, whichever run wrote them:
- new: an ID only NEW has, on records OLD did not have; retired: an ID only OLD has
  (related_ids: where its records went); merged: an individual of NEW holding records of
  several of OLD's (related_ids: the others); split: an individual of OLD whose records
  NEW puts in several (related_ids: the others);
- updated: an ID in both whose golden values differ (`fields` names them);
- household_moved: an ID in both whose household changed (related_ids: from, to).
Households: new, retired, and members_changed (who joined, who left).
"""

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.golden.ids import CHANGE_SCHEMA
from resolver.output import read_output

SCHEMA = {**CHANGE_SCHEMA, "fields": pl.List(pl.String)}
HOUSEHOLD_SCHEMA = {"change": pl.String, F.HOUSEHOLD_ID: pl.String,
                    "joined": pl.List(pl.String), "left": pl.List(pl.String)}


@dataclass(frozen=True)
class RunDiff:
    entities: pl.DataFrame  # change, entity_id, related_ids, records, fields
    households: pl.DataFrame  # change, household_id, joined, left


def value_fields(entities: pl.DataFrame) -> list[str]:
    """The golden values (a field with a `<field>_source` column)."""
    return [c for c in entities.columns if f"{c}_source" in entities.columns]


def golden_changes(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """updated and household_moved rows for the IDs both runs hold."""
    fields = [f for f in value_fields(new) if f in old.columns]
    # the compared columns only: joining the history lists too gathers them row by row
    both = new.select(F.ENTITY_ID, F.HOUSEHOLD_ID, "record_count", *fields).join(
        old.select(F.ENTITY_ID, F.HOUSEHOLD_ID, *fields), on=F.ENTITY_ID, suffix="_old")
    differs = {f: pl.col(f).cast(pl.String).ne_missing(pl.col(f"{f}_old").cast(pl.String))
               for f in fields}
    differ = pl.concat_list([pl.when(d).then(pl.lit(f)) for f, d in differs.items()]
                            ).list.drop_nulls()
    records = pl.col("record_count").cast(pl.UInt32)
    # the list of fields is built for the few individuals whose values changed, not all
    updated = (both.filter(pl.any_horizontal(*differs.values()))
               .select(pl.lit("updated").alias("change"), F.ENTITY_ID,
                       pl.lit([], pl.List(pl.String)).alias("related_ids"),
                       records.alias("records"), differ.alias("fields")))
    moved = (both.filter(pl.col(F.HOUSEHOLD_ID).ne_missing(pl.col(f"{F.HOUSEHOLD_ID}_old")))
             .select(pl.lit("household_moved").alias("change"), F.ENTITY_ID,
                     pl.concat_list(pl.col(f"{F.HOUSEHOLD_ID}_old"), F.HOUSEHOLD_ID)
                     .alias("related_ids"), records.alias("records"),
                     pl.lit([], pl.List(pl.String)).alias("fields")))
    return pl.concat([updated.cast(SCHEMA), moved.cast(SCHEMA)])


def with_golden_changes(changes: pl.DataFrame, previous: Path,
                        entities: pl.DataFrame) -> pl.DataFrame:
    """A run's ID changes plus the golden values and households that changed since
    `previous`."""
    old = read_output(previous, "entities", (F.ENTITY_ID, F.HOUSEHOLD_ID))
    rows = pl.concat([changes.with_columns(pl.lit([], pl.List(pl.String)).alias("fields"))
                      .cast(SCHEMA), golden_changes(old, entities)])
    return rows.sort("change", F.ENTITY_ID)


def _members(lineage: pl.DataFrame, by: str) -> pl.DataFrame:
    return lineage.select(pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias(F.RECORD_KEY),
                          pl.col(by).cast(pl.String))


def _id_changes(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """new / retired / merged / split from the two runs' lineage."""
    both = _members(old, F.ENTITY_ID).join(_members(new, F.ENTITY_ID), on=F.RECORD_KEY,
                                           suffix="_new")
    old_ids = set(old.get_column(F.ENTITY_ID).cast(pl.String))
    new_ids = set(new.get_column(F.ENTITY_ID).cast(pl.String))
    sizes = dict(new.group_by(F.ENTITY_ID).len().iter_rows())
    rows = []
    went = both.group_by(F.ENTITY_ID).agg(pl.col("entity_id_new").unique().sort())
    came = both.group_by("entity_id_new").agg(pl.col(F.ENTITY_ID).unique().sort())
    where = dict(went.iter_rows())
    for old_id in sorted(old_ids - new_ids):  # merged away, or every record deleted
        rows.append(("retired", old_id, where.get(old_id, []), 0))
    for old_id, news in went.iter_rows():
        if len(news) > 1:
            rows.append(("split", old_id, [n for n in news if n != old_id],
                         sum(sizes.get(n, 0) for n in news)))
    for new_id, olds in came.iter_rows():
        if len(olds) > 1:
            rows.append(("merged", new_id, [o for o in olds if o != new_id], sizes[new_id]))
    # a new ID holding records of the old run is a split part, listed with its split
    parts = set(came.get_column("entity_id_new"))
    for new_id in sorted(new_ids - old_ids - parts):
        rows.append(("new", new_id, [], sizes[new_id]))
    return pl.DataFrame(rows, schema=CHANGE_SCHEMA, orient="row")


def _household_changes(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    def members(frame: pl.DataFrame) -> dict[str, set[str]]:
        grouped = frame.group_by(F.HOUSEHOLD_ID).agg(pl.col(F.ENTITY_ID).cast(pl.String))
        return {h: set(m) for h, m in grouped.iter_rows() if h is not None}

    before, after = members(old), members(new)
    rows = [("new", h, sorted(after[h]), []) for h in after.keys() - before.keys()]
    rows += [("retired", h, [], sorted(before[h])) for h in before.keys() - after.keys()]
    rows += [("members_changed", h, sorted(after[h] - before[h]), sorted(before[h] - after[h]))
             for h in after.keys() & before.keys() if after[h] != before[h]]
    return pl.DataFrame(rows, schema=HOUSEHOLD_SCHEMA, orient="row").sort(
        "change", F.HOUSEHOLD_ID)


def diff_runs(old_dir: Path, new_dir: Path) -> RunDiff:
    need = (F.SOURCE, F.RECORD_ID, F.ENTITY_ID)
    old_lineage, new_lineage = (read_output(d, "lineage", need) for d in (old_dir, new_dir))
    old_entities, new_entities = (read_output(d, "entities", (F.ENTITY_ID, F.HOUSEHOLD_ID))
                                  for d in (old_dir, new_dir))
    ids = _id_changes(old_lineage, new_lineage).with_columns(
        pl.lit([], pl.List(pl.String)).alias("fields")).cast(SCHEMA)
    entities = pl.concat([ids, golden_changes(old_entities, new_entities)]).sort(
        "change", F.ENTITY_ID)
    return RunDiff(entities, _household_changes(old_entities, new_entities))
