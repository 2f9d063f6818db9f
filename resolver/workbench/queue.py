"""The workbench's review queue: the pairs a run left for review and nobody has decided
since, most uncertain first (the order of `resolver review`), filtered and paged straight
from the run's files. pairs.parquet is scanned lazily and only the pairs of the page
shown are collected with their values, so a queue of 100,000 pairs pages as fast as one
of 100."""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import polars as pl

from resolver import frames as F
from resolver.decisions import read_decisions
from resolver.output import read_output
from resolver.review import decided_pairs

KEYS = ("record_a", "record_b")
SORT = ("uncertainty", F.left(F.SOURCE), F.left(F.RECORD_ID), F.right(F.SOURCE),
        F.right(F.RECORD_ID))
PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    search: str = ""  # part of a record key or of either record's name
    source: str = ""  # either record from this source
    reason: str = ""  # decision_source: model, guard:<reason>
    band: str = ""  # "lo-hi": lo <= probability < hi (hi 1 included)

    @classmethod
    def from_query(cls, query: dict[str, list[str]]) -> "Filters":
        def first(name: str) -> str:
            return (query.get(name) or [""])[0].strip()[:200]
        return cls(first("q"), first("source"), first("reason"), first("band"))

    def query(self, **extra) -> str:
        pairs = {"q": self.search, "source": self.source, "reason": self.reason,
                 "band": self.band, **extra}
        return urlencode({k: v for k, v in pairs.items() if v not in ("", None)})

    def band_limits(self) -> tuple[float, float] | None:
        lo, _, hi = self.band.partition("-")
        try:
            return float(lo), float(hi)
        except ValueError:
            return None


@dataclass(frozen=True)
class QueuePage:
    rows: list[dict]  # record_a, record_b, probability, weight, rule, source, names
    total: int  # pending pairs that pass the filters
    waiting: int  # pairs the run left for review
    decided_since: int  # of those, decided in the decisions file since the run
    offset: int
    filters: Filters


def scan_output(out_dir: Path, name: str) -> pl.LazyFrame:
    """An output table as a lazy frame: Parquet scanned (only the columns and rows a query
    needs are read); CSV read whole, as read_output reads it."""
    path = out_dir / f"{name}.parquet"
    return pl.scan_parquet(path) if path.is_file() else read_output(out_dir, name).lazy()


def _key(side) -> pl.Expr:
    return pl.concat_str(side(F.SOURCE), pl.lit(":"), side(F.RECORD_ID))


def probability_bands(review: float, match: float) -> list[tuple[float, float]]:
    """Bands from the review threshold up: tenths, then the match threshold, then 1
    (a guard can refuse a link scored above the match threshold)."""
    edges = sorted({review, match, 1.0, *(e / 10 for e in range(1, 10) if review < e / 10
                                          < match)})
    return list(zip(edges[:-1], edges[1:]))


class ReviewQueue:
    def __init__(self, out_dir: Path, config, names_of):
        self.out_dir = out_dir
        self.config = config
        self.names_of = names_of  # record keys -> {key: display name}, for search and rows

    def waiting(self) -> pl.LazyFrame:
        p = pl.col(F.MATCH_PROBABILITY).cast(pl.Float64)
        return (scan_output(self.out_dir, "pairs").filter(pl.col(F.DECISION) == "review")
                .select(F.left(F.SOURCE), F.left(F.RECORD_ID), F.right(F.SOURCE),
                        F.right(F.RECORD_ID), _key(F.left).alias("record_a"),
                        _key(F.right).alias("record_b"), p.alias(F.MATCH_PROBABILITY),
                        pl.col(F.MATCH_WEIGHT).cast(pl.Float64), F.BLOCKING_RULE,
                        F.DECISION_SOURCE, (p - 0.5).abs().alias("uncertainty")))

    def pending(self, filters: Filters) -> pl.LazyFrame:
        decided = decided_pairs(read_decisions(self.config.decisions_path)).lazy()
        pairs = self.waiting().join(decided, on=list(KEYS), how="anti")
        return self._filtered(pairs, filters).sort(SORT)

    def _filtered(self, pairs: pl.LazyFrame, filters: Filters) -> pl.LazyFrame:
        if filters.source:
            pairs = pairs.filter((pl.col(F.left(F.SOURCE)) == filters.source)
                                 | (pl.col(F.right(F.SOURCE)) == filters.source))
        if filters.reason:
            pairs = pairs.filter(pl.col(F.DECISION_SOURCE) == filters.reason)
        limits = filters.band_limits()
        if limits:
            p = pl.col(F.MATCH_PROBABILITY)
            pairs = pairs.filter((p >= limits[0]) & ((p < limits[1]) | (p >= 1.0)))
        if filters.search:
            pairs = pairs.filter(self._search(pairs, filters.search.casefold()))
        return pairs

    def _search(self, pairs: pl.LazyFrame, term: str) -> pl.Expr:
        keys = pairs.select(pl.concat([pl.col("record_a"), pl.col("record_b")]).unique())
        names = self.names_of(keys.collect().to_series().to_list())
        hits = [k for k, name in names.items() if term in (name or "").casefold()]
        in_key = pl.lit(False)
        for side in KEYS:
            in_key = in_key | pl.col(side).str.to_lowercase().str.contains(term, literal=True)
        return in_key | pl.col("record_a").is_in(hits) | pl.col("record_b").is_in(hits)

    def page(self, filters: Filters, offset: int = 0, size: int = PAGE_SIZE) -> QueuePage:
        pending = self.pending(filters)
        total = pending.select(pl.len()).collect().item()
        offset = max(0, min(offset, max(total - 1, 0) // size * size))
        rows = pending.slice(offset, size).collect().to_dicts()
        names = self.names_of([r[k] for r in rows for k in KEYS])
        for i, row in enumerate(rows, start=offset + 1):
            row.update(position=i, name_a=names.get(row["record_a"]),
                       name_b=names.get(row["record_b"]))
        waiting = self.waiting().select(pl.len()).collect().item()
        unfiltered = self.pending(Filters()).select(pl.len()).collect().item()
        return QueuePage(rows, total, waiting, waiting - unfiltered, offset, filters)

    def after(self, filters: Filters, a: str, b: str) -> tuple[str, str] | None:
        """The pending pair after (a, b) in the filtered queue; the first pending pair
        when (a, b) is not pending (decided already); None when none is left."""
        keys = self.pending(filters).select(KEYS).collect()
        match = keys.with_row_index().filter(
            ((pl.col("record_a") == a) & (pl.col("record_b") == b))
            | ((pl.col("record_a") == b) & (pl.col("record_b") == a)))
        start = match.item(0, "index") + 1 if match.height else 0
        rest = keys.slice(start, 1)
        if rest.height == 0 and start:  # the last one: wrap round to what is left
            rest = keys.filter(~(pl.col("record_a").is_in([a, b])
                                 & pl.col("record_b").is_in([a, b]))).head(1)
        return rest.row(0) if rest.height else None

    def reasons(self) -> list[str]:
        return sorted(self.waiting().select(pl.col(F.DECISION_SOURCE).unique())
                      .collect().to_series().drop_nulls().to_list())

