"""`resolver explain OUT --entity ID`: one individual from the run's outputs: its
records with their values, the links between them with weights, the links refused (by a
guard or a steward) to records of other individuals, and its golden record."""

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.config import load_config
from resolver.errors import InputError
from resolver.explain import lineage_of, run_config_path
from resolver.explain_records import steward_no_matches
from resolver.output import read_output
from resolver.record_values import record_values

GOLDEN_FIELDS = ("prefix", "first_name", "middle_name", "last_name", "suffix", "dob",
                 "address", "email", "phone")
LINK_COLUMNS = ("record_a", "record_b", F.MATCH_WEIGHT, F.MATCH_PROBABILITY, F.DECISION,
                F.DECISION_SOURCE)


@dataclass(frozen=True)
class EntityExplanation:
    entity_id: str
    household_id: str | None
    flag: str | None
    records: pl.DataFrame  # record_key, match_confidence, the record's values
    links: pl.DataFrame  # LINK_COLUMNS, both records in the individual
    refused: pl.DataFrame  # record_a (this one's), record_b, other_entity, why
    golden: list[dict]  # field, value, source, record_id, rule


def _pairs(out_dir: Path) -> pl.DataFrame:
    pairs = read_output(out_dir, "pairs", (F.left(F.SOURCE), F.left(F.RECORD_ID),
                                           F.right(F.SOURCE), F.right(F.RECORD_ID),
                                           F.MATCH_WEIGHT, F.MATCH_PROBABILITY, F.DECISION,
                                           F.DECISION_SOURCE))
    return pairs.select(
        pl.concat_str(F.left(F.SOURCE), pl.lit(":"), F.left(F.RECORD_ID)).alias("record_a"),
        pl.concat_str(F.right(F.SOURCE), pl.lit(":"), F.right(F.RECORD_ID)).alias("record_b"),
        pl.col(F.MATCH_WEIGHT, F.MATCH_PROBABILITY).cast(pl.Float64, strict=False),
        F.DECISION, F.DECISION_SOURCE)


def _refused(pairs: pl.DataFrame, members: list[str], entity_of: dict, config) -> pl.DataFrame:
    inside = pl.col("record_a").is_in(members)
    outside = pl.col("record_b").is_in(members)
    crossing = pairs.filter(inside ^ outside).select(
        pl.when(inside).then("record_a").otherwise("record_b").alias("record_a"),
        pl.when(inside).then("record_b").otherwise("record_a").alias("record_b"),
        F.MATCH_PROBABILITY, F.DECISION, F.DECISION_SOURCE)
    kept_apart = crossing.filter(pl.col(F.DECISION_SOURCE).str.starts_with("guard:")
                                 | ((pl.col(F.DECISION_SOURCE) == "steward")
                                    & (pl.col(F.DECISION) == "no_match"))
                                 | (pl.col(F.DECISION) == "match"))
    rows = [{"record_a": r["record_a"], "record_b": r["record_b"],
             "other_entity": entity_of.get(r["record_b"]),
             "match_probability": r[F.MATCH_PROBABILITY],
             "why": _why(r[F.DECISION], r[F.DECISION_SOURCE])}
            for r in kept_apart.iter_rows(named=True)]
    others = [k for k in entity_of if k not in set(members)]
    seen = {(r["record_a"], r["record_b"]) for r in rows}
    for x, y in steward_no_matches(config, members, others):
        mine, theirs = (x, y) if x in members else (y, x)
        if (mine, theirs) not in seen:
            rows.append({"record_a": mine, "record_b": theirs,
                         "other_entity": entity_of.get(theirs), "match_probability": None,
                         "why": "steward: no_match"})
    return pl.DataFrame(rows, schema={"record_a": pl.String, "record_b": pl.String,
                                      "other_entity": pl.String,
                                      "match_probability": pl.Float64, "why": pl.String})


def _why(decision: str, source: str) -> str:
    if source.startswith("guard:"):
        return f"guard refused: {source[6:]}"
    if source == "steward":
        return "steward: no_match"
    return "match, but a guard kept the individuals apart elsewhere"


def explain_entity(out_dir: Path, entity_id: str) -> EntityExplanation:
    config = load_config(run_config_path(out_dir))
    lineage = lineage_of(out_dir)
    mine = lineage.filter(pl.col(F.ENTITY_ID) == entity_id)
    if mine.height == 0:
        raise InputError(f"no individual {entity_id!r} in {out_dir}. Give an entity_id from "
                         "its lineage or entities output")
    members = mine.get_column(F.RECORD_KEY).to_list()
    entity_of = dict(lineage.select(F.RECORD_KEY, F.ENTITY_ID).iter_rows())
    confidence = (pl.col(F.MATCH_CONFIDENCE).cast(pl.Float64, strict=False)
                  if F.MATCH_CONFIDENCE in mine.columns else pl.lit(None, pl.Float64))
    records = mine.select(F.RECORD_KEY, confidence.alias(F.MATCH_CONFIDENCE)).join(
        record_values(config, members), on=F.RECORD_KEY, how="left", maintain_order="left")
    pairs = _pairs(out_dir)
    links = pairs.filter(pl.col("record_a").is_in(members) & pl.col("record_b").is_in(members))
    entities = read_output(out_dir, "entities", (F.ENTITY_ID,)).filter(
        pl.col(F.ENTITY_ID).cast(pl.String) == entity_id)
    golden, household, flag = [], None, None
    if entities.height:
        row = entities.row(0, named=True)
        household, flag = row.get(F.HOUSEHOLD_ID), row.get(F.CLUSTER_FLAG)
        golden = [{"field": f, "value": row.get(f), "source": row.get(f"{f}_source"),
                   "record_id": row.get(f"{f}_record_id"), "rule": row.get(f"{f}_rule")}
                  for f in (*GOLDEN_FIELDS, *config.extra_fields) if row.get(f) is not None]
    return EntityExplanation(entity_id, household, flag, records, links.select(LINK_COLUMNS),
                             _refused(pairs, members, entity_of, config), golden)
