"""`resolver evaluate OUT --sweep`: pairwise precision, recall and F1 of the run's scored
pairs as a match threshold moves, and steward decisions as labels when there is no truth
file.

With a truth file a pair is labelled by whether its records share a person; recall's
denominator is every pair of records the truth puts together (pairs the blocking rules
never made count as missed). With decisions only, the labelled pairs are the decided ones
(the latest decision per pair): an estimate on decided pairs only, which lean to the
uncertain middle of the queue, not a measure of the whole run.

pairs.parquet holds the pairs at or above the run's review threshold, so thresholds below
it cannot be swept; a decided pair absent from it is predicted apart at every threshold.
"""

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.config import load_config
from resolver.decisions import read_decisions
from resolver.errors import InputError
from resolver.evaluate import _f1, read_lineage, read_truth
from resolver.explain import run_config_path
from resolver.output import read_output

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
DECISIONS_NOTE = ("estimated on steward decisions: pairs a steward decided, scored as "
                  "labelled pairs; decided pairs lean to the uncertain middle, so this is a "
                  "pairwise estimate on decided pairs only, not a measure of the whole run")


@dataclass(frozen=True)
class Labelled:
    pairs: pl.DataFrame  # p (model probability; null: below the review threshold), y (0/1)
    true_pairs: int  # recall's denominator
    source: str  # "truth" or "decisions"
    note: str


def _keys(side) -> pl.Expr:
    return pl.concat_str(side(F.SOURCE), pl.lit(":"), side(F.RECORD_ID))


def _scored(out_dir: Path) -> pl.DataFrame:
    columns = (F.left(F.SOURCE), F.left(F.RECORD_ID), F.right(F.SOURCE),
               F.right(F.RECORD_ID), F.MATCH_PROBABILITY, F.DECISION_SOURCE)
    return read_output(out_dir, "pairs", columns).with_columns(
        pl.col(F.MATCH_PROBABILITY).cast(pl.Float64, strict=False).alias("p"))


def from_truth(out_dir: Path, truth_path: Path) -> Labelled:
    truth = read_truth(truth_path).select(F.SOURCE, F.RECORD_ID, "person_id")
    covered = read_lineage(out_dir).join(truth, on=[F.SOURCE, F.RECORD_ID])
    sizes = covered.group_by("person_id").len().get_column("len").cast(pl.Float64)
    side = lambda f: truth.rename({c: f(c) for c in truth.columns})  # noqa: E731
    pairs = (_scored(out_dir).join(side(F.left), on=[F.left(F.SOURCE), F.left(F.RECORD_ID)])
             .join(side(F.right), on=[F.right(F.SOURCE), F.right(F.RECORD_ID)])
             .select("p", (pl.col(F.left("person_id")) == pl.col(F.right("person_id")))
                     .cast(pl.Int64).alias("y")))
    return Labelled(pairs, int((sizes * (sizes - 1) / 2).sum()), "truth",
                    "pairwise on the scored pairs (direct links, before "
                    "clustering) against the truth file")


def decisions_path(out_dir: Path) -> Path:
    config = load_config(run_config_path(out_dir))
    if config.decisions_path is None or not config.decisions_path.is_file():
        raise InputError(f"no --truth given and {config.path} names no decisions file with "
                         "decisions in it. Give --truth FILE, or decide pairs first "
                         f"(resolver review {out_dir})")
    return config.decisions_path


def from_decisions(out_dir: Path) -> Labelled:
    """The latest decision per pair of known records, with the pair's model probability."""
    decided = read_decisions(decisions_path(out_dir))
    known = read_lineage(out_dir).select(pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID))
    keys = known.to_series()
    ordered = (decided.with_row_index("order")
               .filter(pl.col("record_a").is_in(keys.implode()) & pl.col("record_b")
                       .is_in(keys.implode()) & (pl.col("record_a") != pl.col("record_b")))
               .select(pl.min_horizontal("record_a", "record_b").alias("a"),
                       pl.max_horizontal("record_a", "record_b").alias("b"), "decision",
                       "order")
               .sort("order").unique(["a", "b"], keep="last"))
    if ordered.height == 0:
        raise InputError(f"no --truth given and the decisions file {decisions_path(out_dir)} "
                         f"decides no pair of {out_dir}'s records. Give --truth FILE, or "
                         f"decide pairs first (resolver review {out_dir})")
    scored = _scored(out_dir).select(pl.min_horizontal(_keys(F.left), _keys(F.right)).alias("a"),
                                     pl.max_horizontal(_keys(F.left), _keys(F.right)).alias("b"),
                                     "p")
    pairs = ordered.join(scored, on=["a", "b"], how="left").select(
        "a", "b", "p", (pl.col("decision") == "match").cast(pl.Int64).alias("y"))
    return Labelled(pairs, int(pairs.get_column("y").sum()), "decisions", DECISIONS_NOTE)


def sweep(labelled: Labelled, review_threshold: float) -> pl.DataFrame:
    """threshold, pairs at or above it, true matches among them, precision, recall, F1;
    thresholds from the review threshold up."""
    rows = []
    for t in (t for t in THRESHOLDS if t >= review_threshold):
        above = labelled.pairs.filter(pl.col("p") >= t)
        tp = int(above.get_column("y").sum())
        precision = tp / above.height if above.height else 1.0
        recall = tp / labelled.true_pairs if labelled.true_pairs else 1.0
        rows.append({"threshold": t, "pairs": above.height, "true_matches": tp,
                     "precision": precision, "recall": recall,
                     "f1": _f1(precision, recall)})
    return pl.DataFrame(rows, schema={"threshold": pl.Float64, "pairs": pl.Int64,
                                      "true_matches": pl.Int64, "precision": pl.Float64,
                                      "recall": pl.Float64, "f1": pl.Float64})


def decided_clusters(out_dir: Path, labelled: Labelled) -> dict:
    """The run's individuals on the decided pairs: together when one individual holds both
    records. Pairs the run already read as decisions (decision_source steward in
    pairs.parquet) are left out: the run was bound by them."""
    entity = dict(read_lineage(out_dir).select(
        pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID), pl.col(F.ENTITY_ID).cast(pl.String))
        .iter_rows())
    bound = _scored(out_dir).filter(pl.col(F.DECISION_SOURCE) == "steward").select(
        pl.min_horizontal(_keys(F.left), _keys(F.right)).alias("a"),
        pl.max_horizontal(_keys(F.left), _keys(F.right)).alias("b"))
    free = labelled.pairs.join(bound, on=["a", "b"], how="anti")
    together = [entity[a] == entity[b] for a, b in free.select("a", "b").iter_rows()]
    y = free.get_column("y").to_list()
    tp = sum(t and bool(v) for t, v in zip(together, y))
    precision = tp / sum(together) if any(together) else 1.0
    recall = tp / sum(y) if sum(y) else 1.0
    return {"decided_pairs": free.height, "left_out_as_read_by_the_run": bound.join(
        labelled.pairs, on=["a", "b"]).height, "precision": precision, "recall": recall,
            "f1": _f1(precision, recall)}
