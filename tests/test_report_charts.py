"""report.html's charts: geometry against known answers (thresholds where the model's
probability reaches them, cumulative pairs ending at the total, levels out of order
flagged), and the charts in the sample run's report saying what they count."""

import math
import re

import polars as pl
import pytest

from resolver import frames as F
from resolver.report import charts


def test_levels_out_of_order_are_flagged_and_levels_in_order_are_not():
    assert charts.out_of_order([5.0, 3.0, 1.0, -2.0], [True] * 4) == ["", "", "", ""]
    notes = charts.out_of_order([5.0, 3.0, 4.0, -2.0], [True] * 4)
    assert notes[2].startswith("out of order: weighs more") and notes[:2] == ["", ""]
    # a level of another kind (nickname) only has to weigh at least `else`
    notes = charts.out_of_order([5.0, 6.0, -3.0, -2.0], [True, False, False, True])
    assert notes == ["", "", "out of order: weighs less than else", ""]


def test_the_histogram_marks_each_threshold_at_the_weight_of_its_probability():
    scored = pl.DataFrame({F.MATCH_WEIGHT: [-20.0, -10.0, 0.0, 4.0, 10.0, 20.0]})
    chart = charts.histogram(scored, match=0.95, review=0.5)
    review, match = chart.marks
    assert review["label"] == "review 0.5 (+0.00)" and match["label"] == "match 0.95 (+4.25)"
    per_bit = charts.WIDTH / 40  # the bins span -20 to +20
    assert review["x"] == pytest.approx(charts.MARGIN + 20 * per_bit)
    assert match["x"] == pytest.approx(charts.MARGIN + (20 + math.log2(19)) * per_bit)
    assert sum(b.value for b in chart.bars) == 6


def test_blocking_bars_end_at_the_cumulative_pairs(sample_run):
    from resolver.explain import run_document

    _, out = sample_run
    stats = run_document(out)["blocking"]

    class Stat:
        def __init__(self, d):
            self.__dict__.update(d)

    chart = charts.blocking([Stat(s) for s in stats])
    last = chart.bars[-1]
    assert last.x + last.width == pytest.approx(charts.MARGIN + charts.WIDTH)
    assert sum(b.value for b in chart.bars[1::2]) == stats[-1]["cumulative_pairs"]


def test_the_report_s_charts_count_what_the_run_wrote(sample_run):
    _, out = sample_run
    page = (out / "report.html").read_text()
    entities = pl.read_parquet(out / "entities.parquet")
    households = pl.read_parquet(out / "households.parquet")
    assert f"{entities.height:,} individuals; largest {entities['record_count'].max()}" in page
    assert f"{households.height:,} households; largest {households['member_count'].max()}" \
        in page
    for label in ("cumulative pairs per blocking rule", "weights per comparison level",
                  "match weight histogram", "records per individual",
                  "members per household"):
        assert re.search(rf'<svg class="chart"[^>]*aria-label="{label}"', page), label
    assert "xmlns" not in page and "<script" not in page
