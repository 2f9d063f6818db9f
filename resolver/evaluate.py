"""`resolver evaluate`: pairwise and B-cubed precision, recall and F1 of a run's
individuals and households against a truth file.

Everything is computed from the sizes of predicted clusters, true clusters and their
intersections (Σ C(n,2) over each), never by listing pairs, so it works at millions of
records. B-cubed (Bagga & Baldwin 1998) averages per-record precision |C∩T|/|C| and
recall |C∩T|/|T|.

Calibration is a reliability table (DeGroot & Fienberg 1983): the run's scored pairs binned
by predicted match probability, each bin's mean prediction beside the share of its pairs
that the truth says are one person; with the Brier score and the expected calibration
error (the pair-weighted mean gap). It covers the pairs a run writes to pairs.parquet,
those at or above the review threshold.
"""

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from resolver import frames as F
from resolver.errors import InputError
from resolver.output import read_output

TRUTH_COLUMNS = (F.SOURCE, F.RECORD_ID, "person_id")


# finer near 1, where the match threshold and most pairs are
PROBABILITY_BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0)


@dataclass(frozen=True)
class Calibration:
    bins: pl.DataFrame  # probability, pairs, mean_predicted, observed_match_rate, gap
    pairs: int  # scored pairs with both records in the truth file
    brier: float
    expected_calibration_error: float

    def to_json(self) -> dict:
        return {"pairs": self.pairs, "brier": self.brier,
                "expected_calibration_error": self.expected_calibration_error,
                "bins": self.bins.to_dicts()}


@dataclass(frozen=True)
class Scores:
    level: str  # individuals / households
    records: int
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    predicted_clusters: int
    true_clusters: int


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: pl.Expr) -> pl.Expr:
    return (sizes.cast(pl.Float64) * (sizes.cast(pl.Float64) - 1) / 2).sum()


def cluster_scores(level: str, frame: pl.DataFrame, predicted: str, truth: str) -> Scores:
    """frame: one row per record with its predicted and true cluster ids."""
    cells = frame.group_by(predicted, truth).agg(pl.len().alias("n"))
    pred = frame.group_by(predicted).agg(pl.len().alias("np"))
    true = frame.group_by(truth).agg(pl.len().alias("nt"))
    tp = cells.select(_pairs(pl.col("n"))).item()
    pred_pairs = pred.select(_pairs(pl.col("np"))).item()
    true_pairs = true.select(_pairs(pl.col("nt"))).item()
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    sized = cells.join(pred, on=predicted).join(true, on=truth)
    n = frame.height
    b_precision = sized.select((pl.col("n") ** 2 / pl.col("np")).sum()).item() / n
    b_recall = sized.select((pl.col("n") ** 2 / pl.col("nt")).sum()).item() / n
    return Scores(level, n, precision, recall, _f1(precision, recall), b_precision, b_recall,
                  _f1(b_precision, b_recall), pred.height, true.height)


def read_truth(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise InputError(f"truth file not found: {path}")
    try:
        frame = pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(
            path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"truth file {path} cannot be read ({type(exc).__name__}). Give a "
                         "Parquet or UTF-8 CSV file") from None
    missing = [c for c in TRUTH_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"truth file {path}: missing column(s) {missing}. It needs source, "
                         "record_id, person_id and optionally household_id")
    return frame.with_columns(pl.col(F.RECORD_ID).cast(pl.String))


def read_lineage(out_dir: Path) -> pl.DataFrame:
    return read_output(out_dir, "lineage", (F.SOURCE, F.RECORD_ID, F.ENTITY_ID))


def reliability(pairs: pl.DataFrame, truth: pl.DataFrame) -> Calibration:
    """pairs: source/record_id of both sides and match_probability; truth: source,
    record_id, person_id -> the reliability table of the pairs the truth covers."""
    person = truth.select(F.SOURCE, F.RECORD_ID, "person_id")
    side = lambda f: person.rename({c: f(c) for c in person.columns})  # noqa: E731
    labelled = (pairs.join(side(F.left), on=[F.left(F.SOURCE), F.left(F.RECORD_ID)])
                .join(side(F.right), on=[F.right(F.SOURCE), F.right(F.RECORD_ID)])
                .select(pl.col(F.MATCH_PROBABILITY).cast(pl.Float64).alias("p"),
                        (pl.col(F.left("person_id")) == pl.col(F.right("person_id")))
                        .cast(pl.Float64).alias("y")))
    edges = PROBABILITY_BINS
    labels = [f"{lo:g}-{hi:g}" for lo, hi in zip(edges[:-1], edges[1:])]
    index = pl.sum_horizontal([(pl.col("p") >= e).cast(pl.UInt32) for e in edges[1:-1]])
    bins = (labelled.group_by(index.alias("bin")).agg(
                pl.len().alias("pairs"), pl.col("p").mean().alias("mean_predicted"),
                pl.col("y").mean().alias("observed_match_rate"))
            .sort("bin")
            .select(pl.col("bin").map_elements(labels.__getitem__, pl.String)
                    .alias("probability"), "pairs", "mean_predicted", "observed_match_rate",
                    (pl.col("observed_match_rate") - pl.col("mean_predicted")).alias("gap")))
    n = labelled.height
    brier = labelled.select(((pl.col("p") - pl.col("y")) ** 2).mean()).item() if n else 0.0
    ece = bins.select((pl.col("gap").abs() * pl.col("pairs")).sum()).item() / n if n else 0.0
    return Calibration(bins, n, brier, ece)


def calibration(out_dir: Path, truth_path: Path) -> Calibration:
    """The reliability table of a run's pairs.parquet against a truth file."""
    sides = (F.SOURCE, F.RECORD_ID)
    columns = (*map(F.left, sides), *map(F.right, sides), F.MATCH_PROBABILITY)
    return reliability(read_output(out_dir, "pairs", columns), read_truth(truth_path))


def evaluate(out_dir: Path, truth_path: Path) -> tuple[list[Scores], int]:
    """-> (scores for individuals and, when the truth has them, households;
    number of output records the truth file does not cover)."""
    lineage = read_lineage(out_dir)
    truth = read_truth(truth_path)
    joined = lineage.join(truth, on=[F.SOURCE, F.RECORD_ID], how="inner", suffix="_truth")
    uncovered = lineage.height - joined.height
    if joined.height == 0:
        raise InputError(f"truth file {truth_path} shares no (source, record_id) with "
                         f"{out_dir}. Check that it describes the same input")
    scores = [cluster_scores("individuals", joined, F.ENTITY_ID, "person_id")]
    if "household_id_truth" in joined.columns:
        scores.append(cluster_scores("households", joined, F.HOUSEHOLD_ID,
                                     "household_id_truth"))
    return scores, uncovered
