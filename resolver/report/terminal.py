"""The run summary and other tables in the terminal (rich)."""

from rich.console import Console
from rich.table import Table


def run_summary(console: Console, counts: dict, timings: dict[str, float], out_dir) -> None:
    table = Table(title=f"resolver run -> {out_dir}", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    for source, n in counts["records_per_source"].items():
        table.add_row(f"records from {source}", f"{n:,}")
    for key in ("records", "candidate_pairs", "matches", "review", "guard_refused_links",
                "individuals", "households", "flagged_individuals",
                "flagged_households"):
        table.add_row(key.replace("_", " "), f"{counts[key]:,}")
    for change, n in counts["changes"].items():
        table.add_row(f"ids {change}", f"{n:,}")
    table.add_row("time", "  ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
    console.print(table)


def scores_table(console: Console, scores, uncovered: int) -> None:
    """One row per level and measure, so that the table fits 80 columns."""
    table = Table(title="evaluation", title_justify="left")
    for column in ("level", "measure", "precision", "recall", "F1", "clusters", "true"):
        table.add_column(column, justify="left" if column in ("level", "measure") else "right")
    for s in scores:
        table.add_row(s.level, "pairwise", *(f"{v:.4f}" for v in (
            s.pairwise_precision, s.pairwise_recall, s.pairwise_f1)),
                      f"{s.predicted_clusters:,}", f"{s.true_clusters:,}")
        table.add_row("", "B-cubed", *(f"{v:.4f}" for v in (
            s.bcubed_precision, s.bcubed_recall, s.bcubed_f1)), "", "", end_section=True)
    console.print(table)
    console.print(f"{scores[0].records:,} records scored")
    if uncovered:
        console.print(f"{uncovered:,} output records are not in the truth file (left out)")


def sweep_table(console: Console, sweep, labelled) -> None:
    table = Table(title=f"threshold sweep ({labelled.source})", title_justify="left")
    for column in ("threshold", "pairs >= t", "true matches", "precision", "recall", "F1"):
        table.add_column(column, justify="right")
    for row in sweep.iter_rows(named=True):
        table.add_row(f"{row['threshold']:g}", f"{row['pairs']:,}", f"{row['true_matches']:,}",
                      *(f"{row[k]:.4f}" for k in ("precision", "recall", "f1")))
    console.print(table)
    console.print(f"{labelled.note}; {labelled.pairs.height:,} labelled pair(s), recall out "
                  f"of {labelled.true_pairs:,} true matching pair(s)")


def decided_table(console: Console, scores: dict, note: str) -> None:
    table = Table(title="individuals on decided pairs", title_justify="left")
    for column in ("decided pairs", "precision", "recall", "F1"):
        table.add_column(column, justify="right")
    table.add_row(f"{scores['decided_pairs']:,}",
                  *(f"{scores[k]:.4f}" for k in ("precision", "recall", "f1")))
    console.print(table)
    console.print(f"{note}. {scores['left_out_as_read_by_the_run']:,} decided pair(s) the run "
                  "already read are left out (it was bound by them)")


def calibration_table(console: Console, calibration) -> None:
    table = Table(title="calibration: scored pairs (pairs.parquet) by predicted match "
                        "probability", title_justify="left")
    for column in ("probability", "pairs", "mean predicted", "observed match rate", "gap"):
        table.add_column(column, justify="right")
    for row in calibration.bins.iter_rows(named=True):
        table.add_row(row["probability"], f"{row['pairs']:,}", f"{row['mean_predicted']:.4f}",
                      f"{row['observed_match_rate']:.4f}", f"{row['gap']:+.4f}")
    console.print(table)
    console.print(f"{calibration.pairs:,} pairs with truth; Brier score "
                  f"{calibration.brier:.4f}; expected calibration error "
                  f"{calibration.expected_calibration_error:.4f}")
