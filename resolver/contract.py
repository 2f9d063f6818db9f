"""The data contract: one declared schema per stage boundary, checked where frames cross.

    records -> normalized -> pairs -> compared -> scored -> clusters -> golden

Both engines call `check(frame, stage, config)` on what a stage hands on, so a kernel sees
the same columns and types whichever engine called it (the Spark engine also casts what it
collects to these schemas, since Spark has no unsigned integers). A frame that breaks the
contract is a bug, not bad input: ContractError names the stage and the columns, never a
value. Column names come from frames.py.
"""

import polars as pl

from resolver import frames as F
from resolver.compare.compute import kept_values
from resolver.config import Config

STAGES = ("records", "normalized", "pairs", "compared", "scored", "clusters", "golden")
DATETIME = pl.Datetime("us")


class ContractError(AssertionError):
    """A frame that does not have its stage's declared schema (an internal error)."""


def records_schema(config: Config) -> dict:
    """ingest -> normalize: identity, every field's raw value as the source holds it."""
    fields = [*F.CANONICAL_FIELDS, *config.extra_fields]
    return {F.SOURCE: pl.String, F.RECORD_ID: pl.String, F.ROW_NUMBER: pl.UInt32,
            F.UPDATED_AT: DATETIME, **{F.raw(f): pl.String for f in fields},
            F.UID: pl.UInt32, F.RECORD_KEY: pl.String}


def normalized_schema(config: Config) -> dict:
    """normalize -> block: the records plus every normalized column. Declared by the
    normalize kernel itself, run on one record whose every value is missing, so the
    contract cannot drift from what normalize/ writes."""
    from resolver.normalize import normalize_records

    schema = records_schema(config)
    blank = pl.DataFrame({name: [None] for name in schema}, schema=schema).with_columns(
        pl.lit(config.sources[0].name).alias(F.SOURCE), pl.lit(0, pl.UInt32).alias(F.UID))
    return dict(normalize_records(blank, config).schema)


def pairs_schema() -> dict:
    """block -> compare: candidate pairs uid_l < uid_r and the first rule producing them."""
    return dict(F.PAIR_SCHEMA)


def compared_schema(config: Config, normalized: dict | None = None) -> dict:
    """compare -> train, score: pairs, the left values term frequencies look up, one
    small-integer level per comparison."""
    normalized = normalized or normalized_schema(config)
    values = {col: normalized[col.removesuffix("_l")] for col in kept_values(config.comparisons)}
    return {**pairs_schema(), **values, **{F.gamma(c.name): pl.Int8 for c in config.comparisons}}


def scored_schema(config: Config) -> dict:
    """score -> cluster, outputs: every pair's levels, weight, probability and decision."""
    return {**pairs_schema(), **{F.gamma(c.name): pl.Int8 for c in config.comparisons},
            F.MATCH_WEIGHT: pl.Float64, F.MATCH_PROBABILITY: pl.Float64,
            F.DECISION: F.LABEL, F.DECISION_SOURCE: F.LABEL}


def weights_schema(config: Config) -> dict:
    """score -> outputs: the partial weights of the pairs pairs.parquet holds."""
    return {F.UID_L: pl.UInt32, F.UID_R: pl.UInt32,
            **{F.partial_weight(c.name): pl.Float64 for c in config.comparisons}}


def clusters_schema() -> dict:
    """cluster -> golden: each record's cluster (the root uid of its cluster) and flag."""
    return {F.UID: pl.UInt32, "cluster": pl.UInt32, F.CLUSTER_FLAG: pl.String}


GOLDEN_REQUIRED = {  # golden -> outputs: at least these columns (fields vary by config)
    "entities": {F.ENTITY_ID: pl.String, F.HOUSEHOLD_ID: pl.String,
                 "record_count": pl.UInt32, "sources": pl.List(pl.String),
                 "first_seen": DATETIME, "last_seen": DATETIME, F.CLUSTER_FLAG: pl.String},
    "households": {F.HOUSEHOLD_ID: pl.String, "address": pl.String,
                   "member_count": pl.UInt32, "members": pl.List(pl.String),
                   F.HOUSEHOLD_FLAG: pl.String},
    "lineage": {F.SOURCE: pl.String, F.RECORD_ID: pl.String, F.ROW_NUMBER: pl.UInt32,
                F.ENTITY_ID: pl.String, F.HOUSEHOLD_ID: pl.String,
                F.MATCH_CONFIDENCE: pl.Float64},
}


def declared(stage: str, config: Config) -> dict:
    schemas = {"records": lambda: records_schema(config),
               "normalized": lambda: normalized_schema(config),
               "pairs": pairs_schema, "compared": lambda: compared_schema(config),
               "scored": lambda: scored_schema(config), "clusters": clusters_schema}
    return schemas[stage]()


def check(frame: pl.DataFrame, stage: str, config: Config, schema: dict | None = None) -> None:
    """ContractError unless the frame has exactly its stage's declared columns, in order,
    with their types. schema: the declared one when already at hand."""
    want = schema if schema is not None else declared(stage, config)
    have = dict(frame.schema)
    if have != want:
        raise ContractError(f"the {stage} frame breaks the contract: {_difference(have, want)}")


def check_golden(frames: dict[str, pl.DataFrame]) -> None:
    """The output frames (entities, households, lineage) hold at least their columns."""
    for name, required in GOLDEN_REQUIRED.items():
        have = dict(frames[name].schema)
        wrong = {c: t for c, t in required.items() if have.get(c) != t}
        if wrong:
            raise ContractError(f"the golden {name} frame breaks the contract: "
                                f"{_difference({c: have.get(c) for c in wrong}, wrong)}")


def _difference(have: dict, want: dict) -> str:
    missing = [c for c in want if c not in have]
    extra = [c for c in have if c not in want]
    typed = [f"{c} is {have[c]}, declared {want[c]}" for c in want
             if c in have and have[c] != want[c]]
    order = [] if missing or extra or typed else ["columns out of order"]
    return "; ".join([*(f"missing {c}" for c in missing), *(f"unexpected {c}" for c in extra),
                      *typed, *order])
