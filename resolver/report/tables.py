"""The numbers a run reports, computed once and rendered by terminal.py and html.py."""

import numpy as np
import polars as pl

from resolver import frames as F

REVIEW_VALUES = {  # what a steward sees of each record in the review queue
    "name": pl.concat_str([pl.col(F.NAME_DISPLAY[p]) for p in ("prefix", "first_name",
                                                               "middle_name", "last_name",
                                                               "suffix")],
                          separator=" ", ignore_nulls=True),
    "dob": pl.col(F.DOB).cast(pl.String),
    "address": pl.col(F.ADDRESS_LINE),
    "email": pl.col(F.EMAIL),
    "phone": pl.col(F.PHONE),
}


def run_counts(result) -> dict:
    decisions = result.scored.group_by(F.DECISION).len()
    by_decision = dict(zip(decisions.get_column(F.DECISION).to_list(),
                           decisions.get_column("len").to_list()))
    changes = result.changes.group_by("change").len()
    return {
        "records": result.records.height,
        "records_per_source": {s.name: 0 for s in sorted(result.config.sources,
                                                          key=lambda s: s.name)}
        | dict(result.records.group_by(F.SOURCE).len().iter_rows()),
        "candidate_pairs": result.scored.height,
        "matches": by_decision.get("match", 0),
        "review": by_decision.get("review", 0),
        "guard_refused_links": result.clustering.refused.height,
        "individuals": result.entities.height,
        "households": result.households.height,
        "flagged_individuals": len(result.clustering.flags),
        "flagged_households": result.households.get_column(F.HOUSEHOLD_FLAG).is_not_null().sum(),
        "unknown_decisions": result.unknown_decisions,
        "changes": dict(changes.sort("change").iter_rows()),
        "oversized_blocks": {s.rule: {"blocks": s.skipped_blocks, "records": s.skipped_records,
                                      "largest": s.largest_blocks[0]}
                             for s in result.blocking if s.skipped_blocks},
    }


def blocking_table(stats) -> list[dict]:
    return [{"rule": s.rule, "pairs": s.pairs, "new_pairs": s.new_pairs,
             "cumulative_pairs": s.cumulative_pairs, "largest_blocks": s.largest_blocks,
             "refined_blocks": s.refined_blocks, "skipped_blocks": s.skipped_blocks,
             "capped_to_fit": s.capped_to_fit, "capped_at": s.capped_at}
            for s in stats]


def weight_histogram(scored: pl.DataFrame, bins: int = 30) -> list[tuple[float, float, int]]:
    weights = scored.get_column(F.MATCH_WEIGHT).to_numpy()
    if len(weights) == 0:
        return []
    counts, edges = np.histogram(weights, bins=bins)
    return [(float(a), float(b), int(c)) for a, b, c in zip(edges[:-1], edges[1:], counts)]


def model_table(model) -> list[dict]:
    rows = []
    for c in model.comparisons:
        for label, m, u, w in zip(c.labels, c.m, c.u, c.weights()[1:]):
            rows.append({"comparison": c.name, "level": label, "m": m, "u": u,
                         "match_weight": w})
    return rows


def review_queue(result, limit: int = 300) -> pl.DataFrame:
    """Pairs waiting for a steward, most uncertain first, with both records' values."""
    queue = result.pairs.filter(pl.col(F.DECISION) == "review").with_columns(
        (pl.col(F.MATCH_PROBABILITY) - 0.5).abs().alias("uncertainty")).sort(
        "uncertainty", F.left(F.SOURCE), F.left(F.RECORD_ID)).head(limit)
    values = result.normalized.select(F.SOURCE, F.RECORD_ID, *(e.alias(k) for k, e in
                                                               REVIEW_VALUES.items()))
    for side in (F.left, F.right):
        queue = queue.join(values.rename({c: side(c) for c in values.columns}),
                           on=[side(F.SOURCE), side(F.RECORD_ID)], how="left",
                           maintain_order="left")
    return queue.drop("uncertainty")


def flagged_individuals(result, limit: int = 200) -> list[dict]:
    """Individuals a steward should look at: oversized, refused by a guard, or sparsely
    linked clusters, largest first."""
    flagged = result.entities.filter(pl.col(F.CLUSTER_FLAG).is_not_null())
    rows = (flagged.select(F.ENTITY_ID, F.CLUSTER_FLAG, "record_count",
                           pl.concat_str(["first_name", "last_name"], separator=" ",
                                         ignore_nulls=True).alias("name"),
                           pl.col("sources").list.join(", ").alias("sources"))
            .sort(["record_count", F.ENTITY_ID], descending=[True, False]).head(limit))
    return rows.to_dicts()


def refused_links(result, limit: int = 100) -> tuple[list[dict], int]:
    """Links a guard refused (pairs.parquet's decision_source guard:<reason>), highest
    probability first: record keys and numbers only. -> (rows, how many in all)."""
    refused = result.pairs.filter(pl.col(F.DECISION_SOURCE).str.starts_with("guard:"))
    rows = refused.select(
        pl.concat_str(F.left(F.SOURCE), pl.lit(":"), F.left(F.RECORD_ID)).alias("a"),
        pl.concat_str(F.right(F.SOURCE), pl.lit(":"), F.right(F.RECORD_ID)).alias("b"),
        pl.col(F.MATCH_PROBABILITY).alias("probability"),
        pl.col(F.DECISION_SOURCE).str.strip_prefix("guard:").alias("guard"),
    ).sort(["probability", "a", "b"], descending=[True, False, False]).head(limit)
    return rows.to_dicts(), refused.height


def flagged_households(result, limit: int = 200) -> tuple[list[dict], int]:
    """Households with a flag, largest first: ids, flag and size, no names or addresses.
    -> (rows, how many in all)."""
    flagged = result.households.filter(pl.col(F.HOUSEHOLD_FLAG).is_not_null())
    rows = (flagged.select(pl.col(F.HOUSEHOLD_ID).cast(pl.String), F.HOUSEHOLD_FLAG,
                           "member_count")
            .sort(["member_count", F.HOUSEHOLD_ID], descending=[True, False]).head(limit))
    return rows.to_dicts(), flagged.height
