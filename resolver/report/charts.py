"""The report's charts as geometry: bars and lines in a plot's own coordinates, which
templates/charts.html draws as inline SVG (no library, nothing loaded). Each function
takes what a run computed and returns plain data; nothing here renders text.

Thresholds are probabilities; a chart of match weights marks them at log2(p / (1 - p)),
the weight at which the model's probability reaches them."""

import math
from dataclasses import dataclass, field

from resolver.report.tables import weight_histogram
from resolver.score.estimate import nested_levels

WIDTH, HEIGHT, MARGIN = 640, 150, 46  # plot area; MARGIN on the left for labels
SIZE_CAP = 20  # sizes above this share one bar


@dataclass
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    note: str = ""  # "out of order", "pooled", ...
    kind: str = "pos"


@dataclass
class Chart:
    bars: list[Bar]
    marks: list[dict] = field(default_factory=list)  # vertical lines: x, label
    ticks: list[dict] = field(default_factory=list)  # x or y, label
    height: float = HEIGHT
    caption: str = ""
    series: list[dict] = field(default_factory=list)  # lines: name, points (x, y, value)


def weight_bits(probability: float) -> float:
    return math.log2(probability / (1 - probability))


def _x(value: float, lo: float, hi: float) -> float:
    return MARGIN + (value - lo) / ((hi - lo) or 1) * WIDTH


def histogram(scored, match: float, review: float) -> Chart:
    """Candidate pairs by match weight, with both thresholds marked."""
    bins = weight_histogram(scored)
    if not bins:
        return Chart([], caption="no candidate pairs")
    lo, hi = bins[0][0], bins[-1][1]
    top = max(c for _, _, c in bins) or 1
    bars = [Bar(f"{a:+.1f} to {b:+.1f}", c, _x(a, lo, hi), HEIGHT - HEIGHT * c / top,
                max(_x(b, lo, hi) - _x(a, lo, hi) - 1, 1), HEIGHT * c / top)
            for a, b, c in bins]
    marks = [{"x": _x(min(max(weight_bits(p), lo), hi), lo, hi),
              "label": f"{name} {p:g} ({weight_bits(p):+.2f})"}
             for name, p in (("review", review), ("match", match))]
    ticks = [{"x": _x(v, lo, hi), "label": f"{v:+.0f}" if v else "0"}
             for v in _round_ticks(lo, hi)]
    return Chart(bars, marks, ticks, caption=f"{scored.height:,} candidate pairs; tallest "
                                             f"bar {top:,} pairs")


def _round_ticks(lo: float, hi: float) -> list[float]:
    step = max(1, round((hi - lo) / 8 / 5) * 5) if hi - lo > 20 else 2
    first = math.ceil(lo / step) * step
    return [float(v) for v in range(int(first), int(hi) + 1, int(step))]


def out_of_order(weights: list[float], nested: list[bool]) -> list[str]:
    """Per level (no null): why its weight is out of order, or "". A nested level must not
    weigh more than a closer nested one; any level must weigh at least `else`."""
    notes = [""] * len(weights)
    closer = None
    for i, (w, n) in enumerate(zip(weights, nested)):
        if n and closer is not None and w > weights[closer] + 1e-9:
            notes[i] = "out of order: weighs more than a closer level"
        if n:
            closer = i if closer is None or w <= weights[closer] + 1e-9 else closer
        elif w < weights[-1] - 1e-9:
            notes[i] = "out of order: weighs less than else"
    return notes


def level_weights(model, comparisons) -> tuple[Chart, list[dict]]:
    """Every level's weight as a bar from zero, the prior first; levels out of order and
    levels the training pooled are flagged. -> chart, one group per comparison."""
    pooled = model.trained.get("pooled_levels") or {}
    rows = [("prior", "", model.prior_weight, "")]
    for comparison, params in zip(comparisons, model.comparisons):
        weights = params.weights()[1:]
        notes = out_of_order(weights, nested_levels(comparison))
        groups = [g for g in pooled.get(params.name, [])]
        for label, w, note in zip(params.labels, weights, notes):
            merged = next((g for g in groups if label in g), None)
            if merged and not note:
                note = "pooled with " + ", ".join(x for x in merged if x != label)
            rows.append((params.name, label, w, note))
    span = max(abs(w) for _, _, w, _ in rows) or 1
    bars, step = [], 16
    for i, (name, label, w, note) in enumerate(rows):
        width = abs(w) / span * WIDTH / 2
        x = MARGIN + WIDTH / 2 - (width if w < 0 else 0)
        bars.append(Bar(f"{name} {label}".strip(), w, x, i * step, max(width, 1), step - 4,
                        note, "pos" if w >= 0 else "neg"))
    chart = Chart(bars, [{"x": MARGIN + WIDTH / 2, "label": "0"}], height=len(rows) * step,
                  caption=f"bars to ±{span:.1f} bits")
    return chart, [{"label": b.label, "weight": b.value, "note": b.note} for b in bars
                   if b.note]


def sizes(counts: dict[int, int], what: str) -> Chart:
    """How many clusters of each size (sizes above SIZE_CAP share one bar)."""
    capped: dict[str, int] = {}
    for size in sorted(counts):
        key = str(size) if size <= SIZE_CAP else f"{SIZE_CAP + 1}+"
        capped[key] = capped.get(key, 0) + counts[size]
    top = max(capped.values(), default=1) or 1
    width = WIDTH / max(len(capped), 1)
    bars = [Bar(k, n, MARGIN + i * width, HEIGHT - HEIGHT * n / top, max(width - 2, 1),
                HEIGHT * n / top) for i, (k, n) in enumerate(capped.items())]
    return Chart(bars, caption=f"{sum(counts.values()):,} {what}; largest "
                               f"{max(counts, default=0):,}")


def blocking(stats) -> Chart:
    """Cumulative candidate pairs after each rule, the rule's new pairs darker."""
    top = max((s.cumulative_pairs for s in stats), default=1) or 1
    step, bars = 22, []
    for i, s in enumerate(stats):
        before = s.cumulative_pairs - s.new_pairs
        bars.append(Bar(s.rule, s.cumulative_pairs, MARGIN, i * step,
                        max(WIDTH * before / top, 0), step - 6, kind="old"))
        bars.append(Bar(s.rule, s.new_pairs, MARGIN + WIDTH * before / top, i * step,
                        max(WIDTH * s.new_pairs / top, 1), step - 6,
                        f"{s.new_pairs:,} new, {s.cumulative_pairs:,} in all"))
    return Chart(bars, height=len(stats) * step, caption=f"{top:,} candidate pairs in all")


SWEEP_SERIES = ("precision", "recall", "f1")


def sweep_lines(points) -> Chart:
    """Precision, recall and F1 (0 at the bottom, 1 at the top) at each threshold of
    evaluate_sweep.sweep's table; thresholds evenly spaced, as they are not in value."""
    thresholds = points.get_column("threshold").to_list()
    step = WIDTH / max(len(thresholds), 1)
    xs = [MARGIN + (i + 0.5) * step for i in range(len(thresholds))]
    series = [{"name": name, "points": [{"x": x, "y": HEIGHT * (1 - v), "value": v,
                                         "threshold": t}
                                        for x, t, v in zip(xs, thresholds, points[name])]}
              for name in SWEEP_SERIES]
    return Chart([], ticks=[{"x": x, "label": f"{t:g}"} for x, t in zip(xs, thresholds)],
                 series=series, caption="match threshold along the bottom; 0 to 1 upwards")
