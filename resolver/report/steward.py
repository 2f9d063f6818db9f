"""What a steward reads in the terminal, as rich tables: the review queue with both
records' values side by side, and a pair's explanation. Built here, printed by cli.py."""

import polars as pl
from rich.table import Table

from resolver.record_values import DISPLAY


def _text(value) -> str:
    return "" if value is None else str(value)


def queue_table(pairs: pl.DataFrame, title: str | None = None, first: int = 0) -> Table:
    """Two rows per pair (record a over record b), one section per pair; a guard's
    refusal under the probability."""
    table = Table(title=title, title_justify="left")
    for column in ("#", "p", "record", *DISPLAY):
        table.add_column(column, justify="right" if column in ("#", "p") else "left")
    for i, pair in enumerate(pairs.iter_rows(named=True), start=first + 1):
        source = _text(pair.get("decision_source"))
        notes = (f"{pair['match_probability']:.3f}",
                 source if source.startswith("guard:") else "")
        for side, number, note in (("a", str(i), notes[0]), ("b", "", notes[1])):
            table.add_row(number, note, pair[f"record_{side}"],
                          *(_text(pair.get(f"{c}_{side}")) for c in DISPLAY),
                          end_section=side == "b")
    return table


def explanation_table(e) -> Table:
    """The waterfall of one pair: prior, each comparison, household term, total."""
    table = Table(title=f"{e.a} vs {e.b}", title_justify="left")
    for column in ("comparison", e.a, e.b, "level", "weight", "of which tf"):
        table.add_column(column)
    table.add_row("prior", "", "", "", f"{e.prior_weight:+.2f}", "")
    for s in e.steps:
        tf = s["tf_adjustment"]
        table.add_row(s["comparison"], _text(s["value_a"]), _text(s["value_b"]), s["level"],
                      f"{s['weight']:+.2f}", f"{tf:+.2f}" if abs(tf) >= 0.005 else "")
    if abs(e.household_adjustment) >= 0.005:
        table.add_row("household", "", "", "another person of the household?",
                      f"{e.household_adjustment:+.2f}", "")
    table.add_row("total", "", "", "", f"{e.match_weight:+.2f}", "")
    return table
