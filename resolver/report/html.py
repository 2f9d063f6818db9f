"""report.html: one self-contained page (inline CSS and SVG, no scripts, no network) that
a steward opens in a browser: run summary, blocking, the model's weights, the match
weight distribution, precision and recall on steward decisions, cluster and household
sizes, the sources' data quality (counts only, never a value), flagged individuals and the
review queue with each pair's waterfall. The page is templates/report.html (Jinja2, every value
escaped); this module gathers what it shows."""

import shlex

import polars as pl
from jinja2 import Environment, PackageLoader, select_autoescape

from resolver import frames as F
from resolver.report import charts
from resolver.report.decided import MIN_DECIDED, decided_sweep
from resolver.report.profile import quality
from resolver.report.tables import (REVIEW_VALUES, blocking_table, flagged_households,
                                    flagged_individuals, model_table, refused_links,
                                    review_queue)
from resolver.report.waterfall import waterfall

TEMPLATES = Environment(loader=PackageLoader("resolver.report", "templates"),
                        autoescape=select_autoescape(default=True), trim_blocks=True)
BLOCKING_COLUMNS = ["rule", "pairs", "new_pairs", "cumulative_pairs", "largest_blocks",
                    "skipped_blocks", "capped_to_fit", "capped_at"]


def _key(row: dict, side) -> str:
    return f"{row[side(F.SOURCE)]}:{row[side(F.RECORD_ID)]}"


def _pair(row: dict, config, model) -> dict:
    a, b = _key(row, F.left), _key(row, F.right)
    return {"a": a, "b": b, "a_quoted": shlex.quote(a), "b_quoted": shlex.quote(b),
            "probability": row[F.MATCH_PROBABILITY], "decision_source": row[F.DECISION_SOURCE],
            "fields": [(k, row.get(F.left(k)) or "", row.get(F.right(k)) or "")
                       for k in REVIEW_VALUES],
            "waterfall": waterfall(row, config.comparisons, model)}


def _value(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _size_counts(frame: pl.DataFrame, column: str) -> dict[int, int]:
    return dict(frame.get_column(column).value_counts().iter_rows())


def render_report(result, counts: dict, out_dir=None) -> str:
    """out_dir: where the report will live, for the commands it offers to copy."""
    config, model = result.config, result.model
    weights_chart, weight_flags = charts.level_weights(model, config.comparisons)
    queue = review_queue(result)
    decided = decided_sweep(result)
    refused, refused_total = refused_links(result)
    households, households_total = flagged_households(result)
    return TEMPLATES.get_template("report.html").render(
        config=config, model=model,
        out=shlex.quote(str(out_dir)) if out_dir is not None else "OUT",
        summary=[(k.replace("_", " "), _value(v)) for k, v in counts.items()
                 if not isinstance(v, dict)],
        sources=list(counts["records_per_source"].items()),
        blocking=blocking_table(result.blocking), blocking_columns=BLOCKING_COLUMNS,
        blocking_chart=charts.blocking(result.blocking),
        warnings=[str(w) for w in model.trained.get("warnings") or []],
        weights_chart=weights_chart, weight_flags=weight_flags,
        model_rows=model_table(model),
        histogram=charts.histogram(result.scored, config.match_threshold,
                                   config.review_threshold),
        cluster_sizes=charts.sizes(_size_counts(result.entities, "record_count"),
                                   "individuals"),
        household_sizes=charts.sizes(_size_counts(result.households, "member_count"),
                                     "households"),
        size_cap=charts.SIZE_CAP,
        decided=decided, min_decided=MIN_DECIDED,
        sweep_chart=charts.sweep_lines(decided.points) if decided.enough else None,
        sweep_rows=decided.points.to_dicts() if decided.enough else [],
        quality=quality(result.normalized, {s.name: list(s.columns)
                                            for s in config.sources}).to_dicts(),
        flagged=flagged_individuals(result),
        flagged_total=counts.get("flagged_individuals", 0),
        refused=refused, refused_total=refused_total,
        flagged_households=households, flagged_households_total=households_total,
        pairs=[_pair(row, config, model) for row in queue.iter_rows(named=True)],
        waiting=result.pairs.filter(pl.col(F.DECISION) == "review").height)
