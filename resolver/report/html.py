"""report.html: one self-contained page (inline CSS, no scripts, no network) that a
steward opens in a browser: run summary, blocking, the model's weights, the match weight
distribution, and the review queue with each pair's per-field waterfall."""

import shlex
from html import escape

import polars as pl

from resolver import frames as F
from resolver.report.waterfall import waterfall
from resolver.report.tables import (REVIEW_VALUES, blocking_table, flagged_individuals,
                                    model_table, review_queue, weight_histogram)

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:3px 8px;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}th{background:#f6f6f6}.n{text-align:right}
.bar{display:inline-block;height:10px}.pos{background:#2a9d8f}.neg{background:#e76f51}
.pair{border:1px solid #ddd;border-radius:6px;padding:.6em;margin:1em 0}
.muted{color:#777}.hist td{padding:0 2px;border:0}
"""


def _table(rows: list[dict], columns: list[str]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(r.get(c)) for c in columns) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value) -> str:
    if isinstance(value, float):
        return f'<td class="n">{value:.4g}</td>'
    if isinstance(value, int):
        return f'<td class="n">{value:,}</td>'
    return f"<td>{escape('' if value is None else str(value))}</td>"


def _bar(weight: float, scale: float = 6.0) -> str:
    width = min(abs(weight) * scale, 180)
    kind = "pos" if weight >= 0 else "neg"
    return f'<span class="bar {kind}" style="width:{width:.0f}px"></span>'


def _histogram(result) -> str:
    bins = weight_histogram(result.scored)
    top = max((c for _, _, c in bins), default=1) or 1
    rows = "".join(f'<tr><td class="n">{a:.1f} to {b:.1f}</td><td><span class="bar pos" '
                   f'style="width:{300 * c / top:.0f}px"></span> {c:,}</td></tr>'
                   for a, b, c in bins)
    return f'<table class="hist">{rows}</table>'


def _waterfall(row: dict, config, model) -> str:
    """prior, each comparison's weight (term frequency included), the household term
    (what "another person of this household" takes off) and the total: they add up, and
    are the numbers of `resolver explain` (report/waterfall.py)."""
    wf = waterfall(row, config.comparisons, model)
    body = "".join(f"<tr><td>{escape(t.name)}</td><td>{escape(t.level)}</td>"
                   f'<td class="n">{t.weight:+.2f}</td><td>{_bar(t.weight)}</td></tr>'
                   for t in wf.terms)
    return (f"<table><tr><th>term</th><th>level</th><th>weight</th><th></th></tr>{body}"
            f'<tr><th>total</th><th></th><th class="n total">{wf.total:+.2f}</th>'
            f"<th></th></tr></table>")


def _pair(row: dict, config, model, out_dir: str) -> str:
    fields = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(str(row.get(F.left(k)) or ''))}</td>"
        f"<td>{escape(str(row.get(F.right(k)) or ''))}</td></tr>" for k in REVIEW_VALUES)
    a = f"{row[F.left(F.SOURCE)]}:{row[F.left(F.RECORD_ID)]}"
    b = f"{row[F.right(F.SOURCE)]}:{row[F.right(F.RECORD_ID)]}"
    return (f'<div class="pair" data-a="{escape(a)}" data-b="{escape(b)}"><b>{escape(a)}</b> '
            f'vs <b>{escape(b)}</b> '
            f'<span class="muted">probability {row[F.MATCH_PROBABILITY]:.3f}, weight '
            f'{row[F.MATCH_WEIGHT]:+.2f}, {escape(row[F.DECISION_SOURCE])}</span>'
            f"<table><tr><th></th><th>{escape(a)}</th><th>{escape(b)}</th></tr>{fields}</table>"
            f"{_waterfall(row, config, model)}"
            f'<div class="muted">record it: <code>resolver review {escape(out_dir)} --accept '
            f"{escape(shlex.quote(a))} {escape(shlex.quote(b))}</code> or "
            f"<code>--reject</code></div></div>")


def render_report(result, counts: dict, out_dir=None) -> str:
    """out_dir: where the report will live, for the commands it offers to copy."""
    config = result.config
    out_text = shlex.quote(str(out_dir)) if out_dir is not None else "OUT"
    flagged = flagged_individuals(result)
    warnings = result.model.trained.get("warnings") or []
    summary = _table([{"what": k.replace("_", " "), "value": v} for k, v in counts.items()
                      if not isinstance(v, dict)], ["what", "value"])
    sources = _table([{"source": k, "records": v}
                      for k, v in counts["records_per_source"].items()], ["source", "records"])
    queue = review_queue(result)
    waiting = result.pairs.filter(pl.col(F.DECISION) == "review").height
    pairs = "".join(_pair(row, config, result.model, out_text)
                    for row in queue.iter_rows(named=True))
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>resolver report</title>
<style>{STYLE}</style></head><body>
<h1>resolver report</h1>
<p class="muted">config {escape(str(config.path.name))} (sha256 {config.text_hash}),
match threshold {config.match_threshold}, review threshold {config.review_threshold}</p>
<h2>Summary</h2>{summary}{sources}
<h2>Blocking</h2>{_table(blocking_table(result.blocking), ["rule", "pairs", "new_pairs",
                                                          "cumulative_pairs", "largest_blocks",
                                                          "skipped_blocks"])}
<h2>Model</h2><p>prior match weight {result.model.prior_weight:+.2f}
(λ = {result.model.prior:.3g}); {escape(str(result.model.trained.get("method", "")))}</p>
{"".join(f'<p class="muted">model warning: {escape(str(w))}</p>' for w in warnings)}
{_table(model_table(result.model), ["comparison", "level", "m", "u", "match_weight"])}
<h2>Match weights of candidate pairs</h2>{_histogram(result)}
<h2>Flagged individuals</h2>
<p class="muted">Clusters a guard refused to join to another (conflicting birth dates,
suffixes or given names, or a generation it cannot tell), sparsely linked clusters and
oversized ones.</p>
<p class="muted">{len(flagged):,} shown of {counts.get("flagged_individuals", len(flagged)):,}
(largest first); every flagged individual is in entities.parquet (column cluster_flag).</p>
{_table(flagged, ["entity_id", "cluster_flag", "record_count", "name", "sources"])}
<h2>Review queue ({queue.height:,} shown of {waiting:,} pairs)</h2>
<p class="muted">Most uncertain first. Green bars are evidence for a match, red against;
the terms add up to the total weight. The whole queue: <code>resolver review
{escape(out_text)}</code>.</p>
{pairs}
</body></html>
"""
