"""`resolver blocking`: per rule, the candidate pairs it makes, its largest blocks, the
cumulative pairs; an estimate without labels of the share of true matches the rules find
(blocking_recall.py); with a truth file the share actually found (blocking recall), both
over distinct records."""

from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.block import duplicate_representatives, fitting_at_size, pairs_at_size
from resolver.config import Config
from resolver.evaluate import read_truth
from resolver.pipeline import candidates
from resolver.report.blocking_recall import blocking_recall
from resolver.score.train import labels_from_truth


def blocking_report(config: Config, truth_path: Path | None, estimate: bool = True,
                    at_records: int | None = None) -> tuple[pl.DataFrame, dict]:
    """at_records: also predict each rule's pairs on that many records (block.pairs_at_size)
    as configured, and what fitting blocking.max_pairs would do there if blocks grow."""
    configured = config
    config, normalized, pairs, stats = candidates(config)
    table = pl.DataFrame([{"rule": s.rule, "pairs": s.pairs, "new_pairs": s.new_pairs,
                           "cumulative_pairs": s.cumulative_pairs,
                           "largest_blocks": ", ".join(map(str, s.largest_blocks)),
                           "refined_blocks": s.refined_blocks,
                           "skipped_blocks": s.skipped_blocks} for s in stats])
    if any(s.capped_at for s in stats):  # rules capped to fit blocking.max_pairs
        table = table.with_columns(pl.Series("capped_to_fit", [s.capped_to_fit for s in stats]),
                                   pl.Series("capped_at", [s.capped_at for s in stats]))
    totals = {"records": normalized.height, "candidate_pairs": pairs.height}
    if at_records:
        predicted = pairs_at_size(normalized, config.blocking_rules, configured.block_cap,
                                  at_records, config.link_type == "link_only")
        totals[f"at_{at_records}_if_blocks_grow"] = fitting_at_size(
            normalized, config.blocking_rules, configured.block_cap, config.max_pairs,
            at_records, config.link_type == "link_only")
        table = table.with_columns(
            pl.Series(f"at_{at_records}_if_blocks_multiply",
                      [predicted[r][0] for r in table["rule"]]),
            pl.Series(f"at_{at_records}_if_blocks_grow",
                      [predicted[r][1] for r in table["rule"]]))
    if estimate and pairs.height:
        found = blocking_recall(normalized, pairs, config)
        table = table.join(found.rules, on="rule", how="left", maintain_order="left")
        totals |= {"likely_matches": found.likely_matches,
                   "estimated_missed_matches": round(found.estimated_missed),
                   "estimated_recall": found.estimated_recall}
    if truth_path is None:
        return table, totals
    truth = read_truth(truth_path)
    labelled = labels_from_truth(normalized, pairs, truth).join(
        pairs, on=[F.UID_L, F.UID_R]).filter("is_match")
    # over distinct records, as the rules see them: blocking pairs each identical copy
    # with its first copy itself
    distinct = duplicate_representatives(normalized, config.link_type == "link_only").filter(
        pl.col(F.UID) == pl.col("rep"))
    sizes = truth.join(normalized.join(distinct, on=F.UID, how="semi")
                       .select(F.SOURCE, F.RECORD_ID), on=[F.SOURCE, F.RECORD_ID]
                       ).group_by("person_id").len()
    true_pairs = int(sizes.select((pl.col("len") * (pl.col("len") - 1) // 2).sum()).item())
    found_by_rule = dict(labelled.group_by(F.BLOCKING_RULE).len().iter_rows())
    cumulative, rows = 0, []
    for rule in table.get_column("rule").to_list():
        cumulative += found_by_rule.get(rule, 0)
        rows.append(cumulative / max(true_pairs, 1))
    totals |= {"true_pairs": true_pairs, "true_pairs_found": cumulative,
               "blocking_recall": cumulative / max(true_pairs, 1)}
    return table.with_columns(pl.Series("cumulative_recall", rows)), totals
