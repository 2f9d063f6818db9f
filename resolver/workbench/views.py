"""What the workbench's pages show, as plain data for the templates: a pair (both
records' values side by side, which fields agree, the waterfall of `resolver explain`),
an individual (its records, links, refused links, golden record with lineage, history,
household) and a household. Read from the run's outputs and, for record values, from
the run's store as `resolver review` reads them (record_values)."""

import threading
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.compare.compute import column_of
from resolver.errors import InputError
from resolver.explain_entity import explain_entity
from resolver.record_values import DISPLAY, record_values
from resolver.report.waterfall import waterfall
from resolver.workbench.queue import scan_output

NAME_COLUMNS = {"prefix", "first_name", "middle_name", "last_name", "suffix", "full_name"}
HISTORY = ("names", "addresses", "emails", "phones")


class RecordNames:
    """record key -> display name, read from the run's store (or the sources) once per
    key and kept."""

    def __init__(self, config, out_dir: Path | None = None):
        self.config, self.out_dir = config, out_dir
        self.known: dict[str, str | None] = {}
        self.lock = threading.Lock()

    def __call__(self, keys: list[str]) -> dict[str, str | None]:
        with self.lock:
            missing = [k for k in set(keys) if k not in self.known]
            if missing:
                found = record_values(self.config, missing, self.out_dir).select(
                    F.RECORD_KEY, "name")
                self.known.update(dict(found.iter_rows()))
                self.known.update({k: None for k in missing if k not in self.known})
            return {k: self.known[k] for k in keys}


def display_field(comparison, extra_fields: tuple[str, ...]) -> str | None:
    """The row of the side-by-side view a comparison speaks about."""
    column = column_of(comparison)
    if comparison.kind in ("first_name", "last_name", "middle_name") or column in NAME_COLUMNS:
        return "name"
    if comparison.kind in ("dob", "address", "email", "phone"):
        return comparison.kind
    return column if column in extra_fields else None


def agreement(levels: list[tuple[int, int]]) -> str:
    """(level index, number of levels) of the comparisons behind one field -> agree
    (all at their closest level), disagree (any at `else`), missing, or partial."""
    known = [(i, n) for i, n in levels if i > 0]
    if not known:
        return "missing" if levels else "unscored"
    if any(i == n - 1 for i, n in known):
        return "disagree"
    return "agree" if all(i == 1 for i, _ in known) else "partial"


def pair_row(out_dir: Path, a: str, b: str) -> dict | None:
    left = pl.concat_str(F.left(F.SOURCE), pl.lit(":"), F.left(F.RECORD_ID))
    right = pl.concat_str(F.right(F.SOURCE), pl.lit(":"), F.right(F.RECORD_ID))
    found = scan_output(out_dir, "pairs").filter(
        ((left == a) & (right == b)) | ((left == b) & (right == a))).collect()
    return found.row(0, named=True) if found.height else None


def entity_of(out_dir: Path, keys: list[str]) -> dict[str, dict]:
    key = pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID)
    rows = (scan_output(out_dir, "lineage").filter(key.is_in(keys))
            .select(key.alias(F.RECORD_KEY), pl.col(F.ENTITY_ID).cast(pl.String),
                    pl.col(F.HOUSEHOLD_ID).cast(pl.String)).collect())
    return {r[F.RECORD_KEY]: r for r in rows.iter_rows(named=True)}


def pair_view(out_dir: Path, config, model, a: str, b: str) -> dict:
    row = pair_row(out_dir, a, b)
    if row is None:
        raise InputError(f"{a} and {b} are not a pair of {out_dir}'s pairs.parquet (scored at "
                         "or above the review threshold). `resolver explain` scores any two "
                         "records")
    a = f"{row[F.left(F.SOURCE)]}:{row[F.left(F.RECORD_ID)]}"
    b = f"{row[F.right(F.SOURCE)]}:{row[F.right(F.RECORD_ID)]}"
    wf = waterfall(row, config.comparisons, model)
    values = {r[F.RECORD_KEY]: r
              for r in record_values(config, [a, b], out_dir).iter_rows(named=True)}
    levels: dict[str, list] = {}
    for comparison, term in zip(config.comparisons, wf.terms[1:]):
        field = display_field(comparison, config.extra_fields)
        if field:
            levels.setdefault(field, []).append((term.level_index, len(comparison.levels) + 1))
    fields = [{"field": f, "a": values.get(a, {}).get(f), "b": values.get(b, {}).get(f),
               "agreement": agreement(levels.get(f, []))}
              for f in (*DISPLAY, *config.extra_fields)]
    return {"a": a, "b": b, "row": row, "waterfall": wf, "fields": fields,
            "entities": entity_of(out_dir, [a, b]), "prior": model.prior_weight}


def _output_row(out_dir: Path, table: str, column: str, value: str) -> dict | None:
    """The row of an output table whose id column holds value, or None."""
    found = scan_output(out_dir, table).filter(pl.col(column).cast(pl.String) == value).collect()
    return found.row(0, named=True) if found.height else None


def entity_view(out_dir: Path, entity_id: str) -> dict:
    e = explain_entity(out_dir, entity_id)
    row = _output_row(out_dir, "entities", F.ENTITY_ID, entity_id) or {}
    history = {h: row.get(h) or [] for h in HISTORY}
    household = None
    if e.household_id:
        household = household_row(out_dir, e.household_id)
    return {"e": e, "records": e.records.to_dicts(), "links": e.links.to_dicts(),
            "refused": e.refused.to_dicts(), "history": history, "household": household,
            "record_columns": e.records.columns}


def household_row(out_dir: Path, household_id: str) -> dict | None:
    return _output_row(out_dir, "households", F.HOUSEHOLD_ID, household_id)


def household_view(out_dir: Path, household_id: str) -> dict:
    row = household_row(out_dir, household_id)
    if row is None:
        raise InputError(f"no household {household_id!r} in {out_dir}. Give a household_id "
                         "from its lineage or households output")
    members = (scan_output(out_dir, "entities")
               .filter(pl.col(F.HOUSEHOLD_ID).cast(pl.String) == household_id)
               .select(pl.col(F.ENTITY_ID).cast(pl.String),
                       pl.concat_str(["first_name", "last_name"], separator=" ",
                                     ignore_nulls=True).alias("name"),
                       "record_count", F.CLUSTER_FLAG)
               .sort(F.ENTITY_ID).collect())
    return {"household": row, "members": members.to_dicts()}


def find(out_dir: Path, term: str) -> dict[str, str]:
    """An entity_id or household_id equal to the search term -> a link to its page."""
    found = {}
    lineage = scan_output(out_dir, "lineage")
    for column, kind in ((F.ENTITY_ID, "entity"), (F.HOUSEHOLD_ID, "household")):
        hit = lineage.filter(pl.col(column).cast(pl.String) == term).head(1).collect()
        if hit.height:
            found[kind] = term
    return found
