"""`resolver explain OUT A B`: why two records did or did not match: each comparison's
values, level and partial weight, the total, and where the records ended up."""

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.compare.compute import column_of, compare_pairs, levels_of
from resolver.config import load_config
from resolver.errors import InputError, OutputError
from resolver.output import read_output
from resolver.ingest import ingest
from resolver.normalize import normalize_records
from resolver.score.model import load_model
from resolver.score.predict import HOUSEHOLD_ADJUSTMENT, predict, tf_adjustment_column


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


def explain_pair(out_dir: Path, a: str, b: str) -> Explanation:
    config = load_config(run_config_path(out_dir))
    model = load_model(out_dir / "model.json", config.comparisons)
    normalized = normalize_records(ingest(config), config)
    uids = dict(normalized.filter(pl.col(F.RECORD_KEY).is_in([a, b]))
                .select(F.RECORD_KEY, F.UID).iter_rows())
    for key in (a, b):
        if key not in uids:
            raise InputError(f"record {key!r} is not in the input. Name records as "
                             "source:record_id, e.g. crm:C0000012")
    lo, hi = sorted((uids[a], uids[b]))
    pair = pl.DataFrame({F.UID_L: [lo], F.UID_R: [hi], F.BLOCKING_RULE: ["explain"]}).cast(
        F.PAIR_SCHEMA)
    scored = predict(compare_pairs(pair, normalized, config.comparisons), model,
                     config.comparisons, normalized).row(0, named=True)
    # the compared frame holds ids and levels; each record's values are read from its row
    record_a = normalized.row(uids[a], named=True)
    record_b = normalized.row(uids[b], named=True)
    steps = []
    for comparison in config.comparisons:
        col = column_of(comparison)
        gamma = scored[F.gamma(comparison.name)]
        labels = ["null", *(lv.label for lv in levels_of(comparison))]
        steps.append({"comparison": comparison.name, "value_a": record_a[col],
                      "value_b": record_b[col], "level": labels[gamma],
                      "weight": scored[F.partial_weight(comparison.name)],
                      "tf_adjustment": scored.get(tf_adjustment_column(comparison), 0.0)})
    lineage = read_output(out_dir, "lineage", (F.SOURCE, F.RECORD_ID, F.ENTITY_ID)).with_columns(
        pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID).alias(F.RECORD_KEY))
    entity = dict(lineage.filter(pl.col(F.RECORD_KEY).is_in([a, b]))
                  .select(F.RECORD_KEY, F.ENTITY_ID).iter_rows())
    return Explanation(a, b, model.prior_weight, steps, scored[HOUSEHOLD_ADJUSTMENT],
                       scored[F.MATCH_WEIGHT],
                       scored[F.MATCH_PROBABILITY], entity.get(a) == entity.get(b),
                       entity.get(a, "?"), entity.get(b, "?"))
