"""`resolver explain OUT A B`: why two records did or did not match: each comparison's
values, level and partial weight, the total; whether the pair was a candidate at all
(and under which blocking rule); and what kept the records apart (a guard, a steward's
decision, a probability below the threshold) or put them together.

The run's outputs answer first: a pair at or above the review threshold is a row of
pairs.parquet, with its levels and weights as the run scored them. Any other pair is
scored again from the two records alone (normalized on their own, each source's date
format detected on its whole column as the run does); only a term-frequency comparison
that agrees exactly needs its column's frequencies over every record, and then only
that column's normalizer runs over the sources.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.config import Config, load_config
from resolver.errors import InputError, OutputError
from resolver.explain_records import (blocking_rule_of, compared_values, rescore_pair,
                                      steward_no_matches, two_records)
from resolver.output import read_output
from resolver.report.waterfall import comparison_terms
from resolver.score.model import load_model


@dataclass(frozen=True)
class Explanation:
    a: str
    b: str
    prior_weight: float
    steps: list[dict]  # comparison, value_a, value_b, level, weight, tf_adjustment
    household_adjustment: float  # how far "another person of the household" pulls it down
    match_weight: float
    probability: float
    same_individual: bool
    entity_a: str
    entity_b: str
    candidate: str  # how the pair reached scoring, or why it never did
    blocking_rule: str | None  # the first rule that pairs them; None: never a candidate
    in_pairs: bool  # a row of pairs.parquet (at or above the review threshold)
    decision: str | None  # the run's decision on the pair (None: never scored)
    decision_source: str | None
    reasons: list[str] = field(default_factory=list)  # what kept them apart or together


def run_config_path(out_dir: Path) -> Path:
    try:
        doc = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise OutputError(f"{out_dir}: no readable run.json. Point at the output folder of "
                          "`resolver run`") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("config"), str):
        raise OutputError(f"{out_dir}/run.json does not name the run's config; the output is "
                          "damaged. Run `resolver run` again to rebuild it")
    return Path(doc["config"])


def run_document(out_dir: Path) -> dict:
    return json.loads((out_dir / "run.json").read_text(encoding="utf-8"))


def check_keys(a: str, b: str) -> None:
    for key in (a, b):
        if ":" not in key:
            raise InputError(f"record {key!r} is not source:record_id. Name records as "
                             "source:record_id, e.g. crm:C0000012")
    if a == b:
        raise InputError("A and B are the same record. Give two different records")


def lineage_of(out_dir: Path) -> pl.DataFrame:
    return read_output(out_dir, "lineage", (F.SOURCE, F.RECORD_ID, F.ENTITY_ID)).with_columns(
        pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias(F.RECORD_KEY),
        pl.col(F.ENTITY_ID).cast(pl.String))


def pair_row(out_dir: Path, a: str, b: str) -> dict | None:
    """The pair's row of pairs.parquet (either order), or None."""
    pairs = read_output(out_dir, "pairs", (F.left(F.SOURCE), F.left(F.RECORD_ID),
                                           F.right(F.SOURCE), F.right(F.RECORD_ID)))
    left = pl.concat_str(F.left(F.SOURCE), pl.lit(":"), F.left(F.RECORD_ID))
    right = pl.concat_str(F.right(F.SOURCE), pl.lit(":"), F.right(F.RECORD_ID))
    found = pairs.filter(((left == a) & (right == b)) | ((left == b) & (right == a)))
    return found.row(0, named=True) if found.height else None


def _steps_from_row(row: dict, config: Config, model, values: dict) -> list[dict]:
    return [{"comparison": name, **values[name], "level": label, "weight": weight,
             "tf_adjustment": tf}
            for name, label, _, weight, tf in comparison_terms(row, config.comparisons, model)]


def explain_pair(out_dir: Path, a: str, b: str) -> Explanation:
    check_keys(a, b)
    config = load_config(run_config_path(out_dir))
    model = load_model(out_dir / "model.json", config.comparisons)
    lineage = lineage_of(out_dir)
    entity = dict(lineage.filter(pl.col(F.RECORD_KEY).is_in([a, b]))
                  .select(F.RECORD_KEY, F.ENTITY_ID).iter_rows())
    for key in (a, b):
        if key not in entity:
            raise InputError(f"record {key!r} is not in {out_dir}. Name records as "
                             "source:record_id, e.g. crm:C0000012")
    normalized = two_records(config, a, b, out_dir)
    row = pair_row(out_dir, a, b)
    if row is not None:  # the run's own numbers
        steps = _steps_from_row(row, config, model, compared_values(config, normalized))
        weight, probability = float(row[F.MATCH_WEIGHT]), float(row[F.MATCH_PROBABILITY])
        household = weight - model.prior_weight - sum(s["weight"] for s in steps)
        rule = row[F.BLOCKING_RULE]
        decision, source = row[F.DECISION], row[F.DECISION_SOURCE]
    else:
        rescored = rescore_pair(config, model, normalized, out_dir)
        steps, weight, probability = rescored.steps, rescored.weight, rescored.probability
        household, decision, source = rescored.household_adjustment, None, None
        rule = blocking_rule_of(config, normalized)
    candidate = _candidacy(out_dir, config, row, rule, probability, a, b)
    same = entity[a] == entity[b]
    reasons = _reasons(config, lineage, entity, a, b, row, rule, probability, same)
    return Explanation(a, b, model.prior_weight, steps, household, weight, probability, same,
                       entity[a], entity[b], candidate, rule, row is not None, decision,
                       source, reasons)


def _candidacy(out_dir: Path, config: Config, row, rule: str | None, probability: float,
               a: str, b: str) -> str:
    if row is not None:
        return f"a candidate pair under blocking rule {rule}, scored at or above the review " \
               f"threshold ({config.review_threshold})"
    if rule is None:
        if config.link_type == "link_only" and a.partition(":")[0] == b.partition(":")[0]:
            return "never a candidate: link_only runs never pair records of one source"
        return "never a candidate: no blocking rule puts them together"
    stats = {r.get("rule"): r for r in run_document(out_dir).get("blocking", [])
             if isinstance(r, dict)}.get(rule, {})
    size = (f"{stats['capped_at']:,} records (the block size the run capped it at to fit "
            "blocking.max_pairs)" if stats.get("capped_at") else "blocking.max_block_size")
    note = (f" (if their block under {rule} was larger than {size}, they were compared only "
            "when they also share a blocking.refine_with key)"
            if stats.get("skipped_blocks", 0) + stats.get("refined_blocks", 0) else "")
    return (f"a candidate pair under blocking rule {rule}, scored below the review threshold "
            f"({config.review_threshold}): probability {probability:.4f}{note}")


def _reasons(config: Config, lineage: pl.DataFrame, entity: dict, a: str, b: str, row,
             rule: str | None, probability: float, same: bool) -> list[str]:
    if same:
        if row is not None and row[F.DECISION_SOURCE] == "steward" and row[F.DECISION] == \
                "match":
            return ["a steward decided they are one person (match)"]
        if row is not None and row[F.DECISION] == "match":
            return ["linked directly: probability at or above the match threshold "
                    f"({config.match_threshold})"]
        return ["linked through other records of the same individual"]
    reasons = []
    source = row[F.DECISION_SOURCE] if row is not None else None
    if source and source.startswith("guard:"):
        reasons.append(f"a guard refused this link ({source[6:]}): the two individuals "
                       "conflict on a strong identifier")
    elif source == "steward" and row[F.DECISION] == "no_match":
        reasons.append("a steward decided they are different people (no_match)")
    elif rule is None:
        reasons.append("the run never compared them (no blocking rule puts them together)")
    elif probability < config.match_threshold:
        reasons.append(f"probability {probability:.4f} is below the match threshold "
                       f"({config.match_threshold})")
    members = {k: lineage.filter(pl.col(F.ENTITY_ID) == entity[k]).get_column(F.RECORD_KEY)
               .to_list() for k in (a, b)}
    for x, y in steward_no_matches(config, members[a], members[b]):
        if {x, y} != {a, b} or source != "steward":
            reasons.append(f"a steward's no_match between {x} and {y} keeps the two "
                           "individuals apart")
    if not reasons:
        reasons.append("a guard refused a link between the two individuals elsewhere "
                       "(see `resolver explain OUT --entity ID`)")
    return reasons
