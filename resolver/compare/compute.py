"""Compute comparison vectors: for each candidate pair and comparison, the index of the
first level (in config order) whose predicate holds; 0 is the null level.

A pure function of (pairs with _l/_r columns, comparisons), so an engine can run it per
partition. String similarities are computed in one batch per column with
rapidfuzz.process.cpdist, for the pairs whose values differ.
"""

from functools import lru_cache

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Jaro, JaroWinkler, Levenshtein

from resolver import frames as F
from resolver.compare.library import KINDS, Level, parse_level
from resolver.compare.lone_names import PARTS, place_lone_names
from resolver.config import Comparison
from resolver.normalize.names import are_nicknames, nickname_groups
from resolver.threads import in_order

SCORERS = {
    "jaro_winkler": JaroWinkler.normalized_similarity,
    "jaro": Jaro.normalized_similarity,
    "levenshtein": Levenshtein.distance,
    "damerau_levenshtein": DamerauLevenshtein.distance,
}
NULL_LEVEL = 0
DAYS_PER_YEAR = 365.25


def column_of(comparison: Comparison) -> str:
    return KINDS[comparison.kind].column or comparison.field


def levels_of(comparison: Comparison) -> list[Level]:
    return [parse_level(comparison.kind, label) for label in comparison.levels]


def needed_columns(comparisons: tuple[Comparison, ...]) -> list[str]:
    cols = set()
    for comparison in comparisons:
        spec = KINDS[comparison.kind]
        cols.add(column_of(comparison))
        cols.update(spec.null_columns)
        for level in levels_of(comparison):
            if level.target:
                cols.add(level.target)
            if level.op == "swapped":
                cols.update((F.FIRST_NAME, F.LAST_NAME))
            if level.op == "phonetic":
                cols.add(_phonetic_column(comparison))
            if level.op == "same_local_part":
                cols.add(F.EMAIL_LOCAL)
            if level.op == "last_7":
                cols.add(F.PHONE_LAST7)
            if level.op == "nickname":
                cols.add(F.FIRST_NAME_CANONICAL)
    return sorted(cols)


def _phonetic_column(comparison: Comparison) -> str:
    return F.FIRST_NAME_METAPHONE if comparison.kind == "first_name" else F.LAST_NAME_METAPHONE


def value_side(normalized: pl.DataFrame, columns: list[str], gathers: int) -> pl.DataFrame:
    """The columns pairs_with_values gathers from, in uid order. A gather across a
    frame's chunks costs ~8x one from a single chunk (measured: 200k pairs of 15 columns
    from 10 chunks, 102 against 12 ms) and one copy into a single chunk costs about what
    gathering a twelfth of its rows across chunks does: the side is copied when it will
    be gathered from more often than that (gathers: pairs times the sides read)."""
    side = normalized if normalized.get_column(F.UID).is_sorted() else normalized.sort(F.UID)
    if side.height and side.item(-1, F.UID) != side.height - 1:
        raise ValueError("uids must be 0..n-1, as ingest assigns them")
    side = side.select(columns)
    return side.rechunk() if gathers * 12 > side.height else side


def pairs_with_values(pairs: pl.DataFrame, normalized: pl.DataFrame,
                      columns: list[str], side: pl.DataFrame | None = None) -> pl.DataFrame:
    """Attach each side's columns as <col>_l / <col>_r. uid is the row position in
    uid order, so each side is a gather by position, not a join. side: value_side's
    frame, when the caller gathers from it chunk after chunk."""
    if side is None:
        side = value_side(normalized, columns, 2 * pairs.height)
    left_side = side[pairs.get_column(F.UID_L).to_numpy()]
    right_side = side[pairs.get_column(F.UID_R).to_numpy()]
    return pl.concat([pairs, left_side.rename({c: F.left(c) for c in columns}),
                      right_side.rename({c: F.right(c) for c in columns})], how="horizontal")


SAME_VALUE_SCORE = {"jaro_winkler": 1.0, "jaro": 1.0, "levenshtein": 0.0,
                    "damerau_levenshtein": 0.0}
DISTANCES = ("levenshtein", "damerau_levenshtein")


def similarity(frame: pl.DataFrame, col_l: str, col_r: str, op: str,
               cutoff: float | None = None, rows: np.ndarray | None = None) -> pl.Series:
    """Similarity (or distance) of two string columns, row by row; null where either is.

    Equal values (the common case among candidates: most pairs share a name) score as
    equal without a call; rapidfuzz.process.cpdist scores the rest in one batch. With a
    cutoff (the loosest threshold any level asks of this similarity), scores below it
    (distances above it) are not worked out exactly: rapidfuzz stops early and gives 0
    (cutoff + 1), which every level's test reads the same way as the exact score; a
    distance is at least the two lengths' difference, so values whose lengths differ by
    more than the cutoff get cutoff + 1 without a call. rows: a mask of the rows whose
    score is read (the others are left null, unscored).
    """
    a, b = frame.get_column(col_l), frame.get_column(col_r)
    present = (a.is_not_null() & b.is_not_null()).to_numpy()
    if rows is not None:
        present &= rows
    scores = np.full(frame.height, np.nan)
    scores[present] = SAME_VALUE_SCORE[op]
    differ = (a != b).fill_null(False).to_numpy()
    if rows is not None:
        differ &= rows
    if cutoff is not None and op in DISTANCES:
        apart = (a.str.len_chars().cast(pl.Int64) - b.str.len_chars().cast(pl.Int64)).abs()
        beyond = differ & (apart > cutoff).fill_null(False).to_numpy()
        scores[beyond] = cutoff + 1
        differ &= ~beyond
    differ = np.flatnonzero(differ)
    if len(differ):
        scores[differ] = process.cpdist(a.gather(differ).to_list(), b.gather(differ).to_list(),
                                        scorer=SCORERS[op], workers=-1, score_cutoff=cutoff)
    return pl.Series("s", scores, nan_to_null=True)


@lru_cache(maxsize=262144)
def _nickname_groups(name: str) -> tuple[str, ...]:
    return tuple(nickname_groups(name))  # chunks share the cache


def _nicknames(frame: pl.DataFrame, col_l: str, col_r: str) -> pl.Series:
    """Do the two first names share a nickname group? One join, no per-pair Python."""
    values = frame.select(pl.col(col_l).alias("a"), pl.col(col_r).alias("b"))
    names = pl.concat([values.get_column("a"), values.get_column("b")]).drop_nulls().unique()
    pairs = [(name, group) for name in names for group in _nickname_groups(name)]
    groups = pl.DataFrame(pairs, schema={"name": pl.String, "group": pl.String}, orient="row")
    distinct = values.drop_nulls().unique()
    shared = (distinct.join(groups, left_on="a", right_on="name")
              .join(groups, left_on=["b", "group"], right_on=["name", "group"], how="semi")
              .select("a", "b").unique())
    # the join finds names sharing a formal name; are_nicknames keeps the sure ones
    shared = shared.filter(pl.Series([are_nicknames(a, b) for a, b in shared.iter_rows()],
                                     dtype=pl.Boolean)).with_columns(pl.lit(True).alias("s"))
    return (values.join(shared, on=["a", "b"], how="left", maintain_order="left")
            .get_column("s").fill_null(False))


def _street_name(col: str) -> pl.Expr:
    return pl.col(col).str.split("|").list.first()


def _street_where(col: str) -> pl.Expr:
    return pl.col(col).str.split("|").list.last()


class Similarities:
    """Similarity columns of one pair frame, each computed once: the levels of one
    comparison (jaro_winkler >= 0.92, >= 0.88, >= 0.70) share one computation.
    cutoffs: (key, op) -> the loosest threshold asked of it (see similarity_cutoffs).
    rows: a mask of the rows the levels read, the same on every call for a key (the
    street levels read a street's similarity only where the ZIP or city is the same)."""

    def __init__(self, frame: pl.DataFrame, cutoffs: dict[tuple, float] | None = None):
        self.frame = frame
        self.cutoffs = cutoffs or {}
        self.cache: dict[tuple, pl.Series] = {}

    def get(self, left_expr: pl.Expr, right_expr: pl.Expr, key: tuple, op: str,
            rows: np.ndarray | None = None) -> pl.Series:
        if (key, op) not in self.cache:
            values = self.frame.select(left_expr.alias("a"), right_expr.alias("b"))
            self.cache[(key, op)] = similarity(values, "a", "b", op,
                                               self.cutoffs.get((key, op)), rows)
        return self.cache[(key, op)]

    def days_apart(self, left_expr: pl.Expr, right_expr: pl.Expr, key: tuple) -> pl.Series:
        """|a - b| in days of two YYYYMMDD columns, parsed once for all of a
        comparison's date-difference levels."""
        if (key, "days") not in self.cache:
            self.cache[(key, "days")] = self.frame.select(
                (left_expr.str.to_date("%Y%m%d", strict=False)
                 - right_expr.str.to_date("%Y%m%d", strict=False)).dt.total_days().abs()
            ).to_series()
        return self.cache[(key, "days")]


def _similarity_key(comparison: Comparison, level: Level) -> tuple[tuple, str] | None:
    """The Similarities key a level reads its score from; None: it reads none."""
    if level.op.startswith("street_"):
        return ("street", level.target), level.op.removeprefix("street_")
    if level.op in SCORERS and not level.target:
        return (column_of(comparison),), level.op
    return None


CUTOFF_MARGIN = 1e-6  # far above float32's rounding near 1, far below any threshold step


def similarity_cutoffs(comparisons: tuple[Comparison, ...]) -> dict[tuple, float]:
    """Per similarity the comparisons compute, the loosest threshold any level asks of
    it: the lowest similarity, or the highest whole distance. No level can tell a score
    beyond it from the exact one."""
    cutoffs: dict[tuple, float] = {}
    for comparison in comparisons:
        for level in levels_of(comparison):
            key = _similarity_key(comparison, level)
            if key is None:
                continue
            if key[1] in ("jaro", "jaro_winkler"):  # scores arrive as float32: a score a
                # hair below the threshold in float64 may round up to it, so stop short
                cutoffs[key] = min(cutoffs.get(key, 1.0), level.threshold - CUTOFF_MARGIN)
            else:
                cutoffs[key] = max(cutoffs.get(key, 0), int(level.threshold))
    return cutoffs


def level_predicate(frame: pl.DataFrame, comparison: Comparison, level: Level,
                    sims: Similarities | None = None) -> pl.Expr:
    """A boolean expression over the pair frame: does this level hold?"""
    sims = sims or Similarities(frame)
    col = column_of(comparison)
    lhs, rhs = pl.col(F.left(col)), pl.col(F.right(col))
    op = level.op
    if op == "else":
        return pl.lit(True)
    if op == "missing_one_side":
        return lhs.is_null() ^ rhs.is_null()
    if op == "exact":
        return lhs == rhs
    if level.target and not op.startswith("street_"):
        return pl.col(F.left(level.target)) == pl.col(F.right(level.target))
    if op == "nickname":
        return pl.lit(_nicknames(frame, F.left(col), F.right(col))).fill_null(False)
    if op == "phonetic":
        ph = _phonetic_column(comparison)
        return pl.col(F.left(ph)) == pl.col(F.right(ph))
    if op == "initial":
        short = (lhs.str.len_chars() == 1) | (rhs.str.len_chars() == 1)
        return short & (lhs.str.slice(0, 1) == rhs.str.slice(0, 1))
    if op == "swapped":
        return ((pl.col(F.left(F.FIRST_NAME)) == pl.col(F.right(F.LAST_NAME)))
                & (pl.col(F.left(F.LAST_NAME)) == pl.col(F.right(F.FIRST_NAME))))
    if op == "day_month_swapped":
        return ((lhs.str.slice(0, 4) == rhs.str.slice(0, 4))
                & (lhs.str.slice(4, 2) == rhs.str.slice(6, 2))
                & (lhs.str.slice(6, 2) == rhs.str.slice(4, 2)))
    if op == "same_year_month":
        return lhs.str.slice(0, 6) == rhs.str.slice(0, 6)
    if op == "same_year":
        return lhs.str.slice(0, 4) == rhs.str.slice(0, 4)
    if op == "same_local_part":
        return pl.col(F.left(F.EMAIL_LOCAL)) == pl.col(F.right(F.EMAIL_LOCAL))
    if op == "last_7":
        return pl.col(F.left(F.PHONE_LAST7)) == pl.col(F.right(F.PHONE_LAST7))
    if op.startswith("street_"):  # fuzzy street name within the same ZIP (or city)
        # the names are scored only where the place is the same: elsewhere the level fails
        same_where = _street_where(F.left(level.target)) == _street_where(F.right(level.target))
        where = frame.select(same_where.fill_null(False)).to_series().to_numpy()
        score = sims.get(_street_name(F.left(level.target)), _street_name(F.right(level.target)),
                         ("street", level.target), op.removeprefix("street_"), where)
        close = (pl.lit(score) >= level.threshold if op in ("street_jaro", "street_jaro_winkler")
                 else pl.lit(score) <= level.threshold)
        return pl.lit(pl.Series(where)) & close
    if op == "years_apart":  # impossible dates (kept as text) parse to null: no level
        return pl.lit(sims.days_apart(lhs, rhs, (col,))) <= level.threshold * DAYS_PER_YEAR
    score = pl.lit(sims.get(pl.col(F.left(col)), pl.col(F.right(col)), (col,), op))
    return score >= level.threshold if op in ("jaro", "jaro_winkler") else score <= level.threshold


def null_predicate(comparison: Comparison) -> pl.Expr:
    """Either side missing; both sides when the comparison has a missing_one_side level."""
    spec = KINDS[comparison.kind]
    columns = spec.null_columns or (column_of(comparison),)
    left_missing = pl.all_horizontal(pl.col(F.left(c)).is_null() for c in columns)
    right_missing = pl.all_horizontal(pl.col(F.right(c)).is_null() for c in columns)
    if "missing_one_side" in comparison.levels:
        return left_missing & right_missing
    return left_missing | right_missing


def comparison_levels(frame: pl.DataFrame, comparison: Comparison,
                      sims: Similarities | None = None) -> pl.Expr:
    """gamma: 0 for null, else 1 + the index of the first level that holds."""
    sims = sims or Similarities(frame)
    expr = pl.when(null_predicate(comparison)).then(pl.lit(NULL_LEVEL, pl.Int8))
    for i, level in enumerate(levels_of(comparison), start=1):
        expr = expr.when(level_predicate(frame, comparison, level, sims).fill_null(False)).then(
            pl.lit(i, pl.Int8))
    return expr.otherwise(pl.lit(len(comparison.levels), pl.Int8)).alias(F.gamma(comparison.name))


CHUNK_PAIRS = 200_000  # pairs whose values are held at once: bounded memory at any size


def compare_pairs(pairs: pl.DataFrame, normalized: pl.DataFrame,
                  comparisons: tuple[Comparison, ...],
                  chunk_pairs: int = CHUNK_PAIRS, on_chunk=None) -> pl.DataFrame:
    """Candidate pairs -> the same pairs with one small-integer gamma_<name> column per
    comparison, plus each term-frequency comparison's left value (<col>_l) that
    prediction looks up. Values are attached chunk by chunk and dropped after, so the
    frame that leaves here holds ids and levels, not every value of both records.
    on_chunk(done, total): told after each chunk (progress)."""
    columns = needed_columns(comparisons)
    side = value_side(normalized, columns, 2 * pairs.height)

    def compare_chunk(start: int) -> pl.DataFrame:
        frame = pairs_with_values(pairs.slice(start, chunk_pairs), normalized, columns, side)
        return compare_attached(frame, pairs.columns, comparisons)

    starts = range(0, max(pairs.height, 1), chunk_pairs)
    out = []
    for start, compared in zip(starts, in_order(compare_chunk, starts)):  # two at once
        out.append(compared)
        if on_chunk:
            on_chunk(min(start + chunk_pairs, pairs.height), pairs.height)
    return pl.concat(out)


def kept_values(comparisons: tuple[Comparison, ...]) -> list[str]:
    """The left values prediction looks term frequencies up by."""
    return sorted({F.left(column_of(c)) for c in comparisons if c.term_frequency})


def with_kept_values(pairs: pl.DataFrame, normalized: pl.DataFrame,
                     comparisons: tuple[Comparison, ...]) -> pl.DataFrame:
    """Pairs compared before -> the same with the left values prediction looks up, as
    compare_attached gives them: after lone names are placed ("Watts" in the first-name
    field looks its surname's frequency up), not as the records hold them."""
    parts = {c for columns in PARTS.values() for c in columns} & set(normalized.columns)
    columns = sorted({column_of(c) for c in comparisons if c.term_frequency} | parts)
    frame = place_lone_names(pairs_with_values(pairs, normalized, columns))
    return frame.select(*pairs.columns, *kept_values(comparisons))


def compare_attached(frame: pl.DataFrame, pair_columns: list[str],
                     comparisons: tuple[Comparison, ...]) -> pl.DataFrame:
    """The comparison kernel: pairs with both records' values attached (<col>_l / <col>_r
    of needed_columns) -> pair_columns, kept_values and one gamma per comparison. Each
    pair's levels depend on its own values alone, so any split of the pairs gives the
    same rows (the local engine runs it per chunk, Spark per partition)."""
    frame = place_lone_names(frame)
    sims = Similarities(frame, similarity_cutoffs(comparisons))
    return frame.select(*pair_columns, *kept_values(comparisons),
                        *(comparison_levels(frame, c, sims) for c in comparisons))
