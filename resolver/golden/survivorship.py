"""Golden records: for each individual and field, the surviving value, the record it came
from and the rule that chose it.

Candidates are every record's value of the field in the cluster; the configured rules
(golden/rules.py) sort them, all clusters at once, and the first candidate wins. The rule
recorded is the first one that set the winner apart from the best candidate holding a
different value ("only_value" when no other value was seen, "tie_break" when no rule could
tell them apart and the smallest (source, record_id) decided).
"""

import polars as pl

from resolver import frames as F
from resolver.golden.rules import FREQUENCY, PRIORITY, RULES, VALID, VALUE

# golden field -> (value column in normalized, validity expression)
GOLDEN_FIELDS = {
    "prefix": (F.NAME_DISPLAY["prefix"], pl.col(F.NAME_STATUS) == F.STATUS_OK),
    "first_name": (F.NAME_DISPLAY["first_name"], pl.col(F.NAME_STATUS) == F.STATUS_OK),
    "middle_name": (F.NAME_DISPLAY["middle_name"], pl.col(F.NAME_STATUS) == F.STATUS_OK),
    "last_name": (F.NAME_DISPLAY["last_name"], pl.col(F.NAME_STATUS) == F.STATUS_OK),
    "suffix": (F.NAME_DISPLAY["suffix"], pl.col(F.NAME_STATUS) == F.STATUS_OK),
    "dob": (F.DOB, pl.col(F.DOB_STATUS) == F.STATUS_OK),  # ISO date
    "address": (F.ADDRESS_LINE, pl.col(F.ADDRESS_STATUS) == F.STATUS_OK),
    "email": (F.EMAIL, pl.col(F.EMAIL_STATUS) == F.STATUS_OK),
    "phone": (F.PHONE, pl.col(F.PHONE_STATUS) == F.STATUS_OK),
}


def rules_for(field: str, config) -> tuple[str, ...]:
    return config.survivorship_fields.get(field) or config.survivorship_default


def candidates(records: pl.DataFrame, value: str, valid: pl.Expr,
               priority: tuple[str, ...]) -> pl.DataFrame:
    """One row per record holding a value: entity, value, validity, recency, source."""
    rank = {s: i for i, s in enumerate(priority)}
    # lazy, so the filter copies the columns selected, not every column of the records
    return (records.lazy().filter(pl.col(value).is_not_null())
            .select(F.ENTITY_ID, pl.col(value).cast(pl.String).alias(VALUE),
                    valid.fill_null(False).alias(VALID), F.UPDATED_AT, F.SOURCE, F.RECORD_ID,
                    *([F.UID] if F.UID in records.columns else []),
                    pl.col(F.SOURCE).replace_strict(rank, default=len(rank),
                                                    return_dtype=pl.Int32).alias(PRIORITY))
            .with_columns(pl.len().over(F.ENTITY_ID, VALUE).alias(FREQUENCY)).collect())


def choose(cands: pl.DataFrame, rules: tuple[str, ...]) -> pl.DataFrame:
    """-> one row per entity, in entity order: value, source, record_id, rule."""
    keys = [RULES[r][0].alias(f"k{i}") for i, r in enumerate(rules)]
    descending = [RULES[r][1] for r in rules]
    # the last keys: (source, record_id), or the uid ingest numbered records by in that
    # order, which sorts as an integer
    last = [F.UID] if F.UID in cands.columns else [F.SOURCE, F.RECORD_ID]
    ordered = cands.with_columns(keys).sort(
        [F.ENTITY_ID, *(f"k{i}" for i in range(len(rules))), *last],
        descending=[False, *descending, *(False for _ in last)], nulls_last=True)
    # sorted by entity, each entity's first row is where the entity changes: no grouping
    opens = pl.col(F.ENTITY_ID).ne_missing(pl.col(F.ENTITY_ID).shift(1))
    ordered = ordered.with_columns(pl.when(opens).then(pl.col(VALUE)).forward_fill()
                                   .alias("won"))
    winner = ordered.filter(opens)
    # the runner-up: the first candidate holding another value than the winner's
    rivals = ordered.filter(pl.col(VALUE) != pl.col("won"))
    runner_up = rivals.filter(opens)
    decided = winner.join(runner_up.select(F.ENTITY_ID, pl.lit(True).alias("rival"),
                                           *(pl.col(f"k{i}").alias(f"r{i}")
                                             for i in range(len(rules)))),
                          on=F.ENTITY_ID, how="left", maintain_order="left")
    rule = pl.lit("tie_break")
    for i in reversed(range(len(rules))):
        differs = pl.col(f"k{i}").ne_missing(pl.col(f"r{i}"))
        rule = pl.when(differs).then(pl.lit(rules[i])).otherwise(rule)
    rule = pl.when(pl.col("rival").fill_null(False)).then(rule).otherwise(pl.lit("only_value"))
    return decided.select(F.ENTITY_ID, VALUE, F.SOURCE, F.RECORD_ID, rule.alias("rule"))


def golden_fields(extra_fields: tuple[str, ...]) -> dict[str, tuple[str, pl.Expr]]:
    """golden field -> (value column, validity): GOLDEN_FIELDS, then the configured extras
    (always valid)."""
    return {**GOLDEN_FIELDS, **{extra: (extra, pl.lit(True)) for extra in extra_fields}}


def survive(records: pl.DataFrame, config, extra_fields: tuple[str, ...]) -> pl.DataFrame:
    """records (normalized, with entity_id) -> one golden row per entity, in entity order.
    Each field's choice is lined up with the entities by a join of its own four columns,
    then the columns are put side by side (joining each onto the growing frame would
    copy every column chosen before it again)."""
    entities = records.select(F.ENTITY_ID).unique().sort(F.ENTITY_ID)
    columns = []
    for field, (value, valid) in golden_fields(extra_fields).items():
        chosen = choose(candidates(records, value, valid, config.source_priority),
                        rules_for(field, config))
        columns += entities.join(chosen.rename({
            VALUE: field, F.SOURCE: f"{field}_source", F.RECORD_ID: f"{field}_record_id",
            "rule": f"{field}_rule"}), on=F.ENTITY_ID, how="left",
            maintain_order="left").drop(F.ENTITY_ID).get_columns()
    return entities.hstack(columns)


def sole_values(extra_fields: tuple[str, ...]) -> list[pl.Expr]:
    """survive's columns for individuals of one record, read off the record itself: its
    value is the only one (rule "only_value"), taken from it; no value, all four null."""
    out = []
    for field, (value, _valid) in golden_fields(extra_fields).items():
        held = pl.col(value).is_not_null()
        out += [pl.col(value).cast(pl.String).alias(field),
                pl.when(held).then(pl.col(F.SOURCE)).alias(f"{field}_source"),
                pl.when(held).then(pl.col(F.RECORD_ID)).alias(f"{field}_record_id"),
                pl.when(held).then(pl.lit("only_value")).alias(f"{field}_rule")]
    return out
