"""A record with one name token and the other name field empty ("Watts" / "") may hold a
surname in its first-name field, or a given name alone. For each pair, that token is
compared with both name parts of the other record and takes the part it resembles more
(a tie leaves it where it was written), so "Watts" meets "John Watts" on the surname and
the part it lacks is a null level, not a disagreement.
"""

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from resolver import frames as F

# (from, to) columns when a lone name changes part; a surname has no nickname group
MOVES = {
    (F.FIRST_NAME, F.LAST_NAME): ((F.FIRST_NAME, F.LAST_NAME),
                                  (F.FIRST_NAME_METAPHONE, F.LAST_NAME_METAPHONE)),
    (F.LAST_NAME, F.FIRST_NAME): ((F.LAST_NAME, F.FIRST_NAME),
                                  (F.LAST_NAME, F.FIRST_NAME_CANONICAL),
                                  (F.LAST_NAME_METAPHONE, F.FIRST_NAME_METAPHONE)),
}
PARTS = {F.FIRST_NAME: (F.FIRST_NAME, F.FIRST_NAME_CANONICAL, F.FIRST_NAME_METAPHONE),
         F.LAST_NAME: (F.LAST_NAME, F.LAST_NAME_METAPHONE)}
MIN_SIMILARITY = 0.80  # a token like neither part stays where it was written


def _jaro_winkler(frame: pl.DataFrame, a: pl.Expr, b: pl.Expr, rows: pl.Series) -> np.ndarray:
    """Jaro-Winkler of a and b on the given rows (0 where either is null), else 0."""
    out = np.zeros(frame.height)
    picked = frame.select(a.alias("a"), b.alias("b"))[rows]
    both = picked.with_row_index("i").drop_nulls()
    if both.height:
        scores = process.cpdist(both.get_column("a").to_list(), both.get_column("b").to_list(),
                                scorer=JaroWinkler.normalized_similarity, workers=1)
        out[rows.to_numpy()[both.get_column("i").to_numpy()]] = scores
    return out


def _move(frame: pl.DataFrame, side, mask: np.ndarray, src: str, dst: str) -> pl.DataFrame:
    """On the masked rows, side's name part src becomes part dst (src's columns null)."""
    if not mask.any():
        return frame
    move = pl.lit(pl.Series(mask))
    present = [(side(a), side(b)) for a, b in MOVES[(src, dst)]
               if side(a) in frame.columns and side(b) in frame.columns]
    targets = {b for _, b in present}
    sources = {side(c) for c in PARTS[src] if side(c) in frame.columns} - targets
    return frame.with_columns(
        *(pl.when(move).then(pl.col(a)).otherwise(pl.col(b)).alias(b) for a, b in present),
        *(pl.when(move).then(None).otherwise(pl.col(a)).alias(a) for a in sources))


def place_lone_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Pairs with first/last name columns -> lone name tokens moved to the part of the
    other record they resemble more."""
    needed = [s(c) for s in (F.left, F.right) for c in (F.FIRST_NAME, F.LAST_NAME)]
    if not all(c in frame.columns for c in needed) or frame.height == 0:
        return frame
    for side, other in ((F.left, F.right), (F.right, F.left)):
        first, last = pl.col(side(F.FIRST_NAME)), pl.col(side(F.LAST_NAME))
        lone = frame.select((first.is_null() ^ last.is_null())
                            & (pl.col(other(F.FIRST_NAME)).is_not_null()
                               | pl.col(other(F.LAST_NAME)).is_not_null())).to_series()
        rows = lone.arg_true()
        if rows.len() == 0:
            continue
        token = pl.coalesce(first, last)
        to_first = _jaro_winkler(frame, token, pl.col(other(F.FIRST_NAME)), rows)
        to_last = _jaro_winkler(frame, token, pl.col(other(F.LAST_NAME)), rows)
        has_first = frame.get_column(side(F.FIRST_NAME)).is_not_null().to_numpy()
        into_last = has_first & (to_last > to_first) & (to_last >= MIN_SIMILARITY)
        into_first = ~has_first & (to_first > to_last) & (to_first >= MIN_SIMILARITY)
        lone_np = lone.to_numpy()
        frame = _move(frame, side, lone_np & into_last, F.FIRST_NAME, F.LAST_NAME)
        frame = _move(frame, side, lone_np & into_first, F.LAST_NAME, F.FIRST_NAME)
    return frame
