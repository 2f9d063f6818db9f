"""Text primitives shared by every normalizer: case folding, accent stripping, and
running a Python parser once per distinct value."""

import os
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache, partial
from multiprocessing import get_context

import polars as pl

from resolver.gc_pause import paused_gc

_PUNCTUATION = re.compile(r"[^\w\s'-]", re.UNICODE)
# letters NFKD does not decompose into a base letter and a mark
_TRANSLITERATE = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                                "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ß": "ss",
                                "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ı": "i"})
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    if text.isascii():  # the common case, and ~10x faster than decomposing
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str | None) -> str | None:
    """Lower case, no accents, apostrophes dropped, other punctuation and hyphens as spaces.

    Idempotent; None or an all-punctuation string folds to None.
    """
    if text is None:
        return None
    text = strip_accents(text).lower().replace("'", "").replace("\u2019", "")
    text = _PUNCTUATION.sub(" ", text).replace("-", " ").replace("_", " ")
    text = _SPACES.sub(" ", text).strip()
    return text or None


def fold_expr(col: pl.Expr) -> pl.Expr:
    """The vectorised twin of `fold` for ASCII-dominated columns (accents handled by
    map_distinct callers that need them)."""
    return (
        col.str.to_lowercase()
        .str.replace_all(r"['\u2019]", "")
        .str.replace_all(r"[^\w\s]|_", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .replace("", None)
    )


PARALLEL_MIN_VALUES = 20_000  # below this, starting worker processes costs more than it saves


def _parse_chunk(parse: Callable[[str], tuple], chunk: list[str]) -> list[tuple]:
    with paused_gc():  # in a worker process: the stage's pause does not reach it
        return [parse(v) for v in chunk]


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _die_with_parent(parent: int) -> None:
    """Worker initializer: a killed parent (SIGKILL runs no cleanup) must not leave
    workers behind; each watches its parent and exits when it is gone."""
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


WORKERS_ENV = "RESOLVER_PARSE_WORKERS"  # parser processes; set, it applies at any size


@lru_cache(maxsize=1)
def _pool() -> ProcessPoolExecutor | None:
    workers = int(os.environ.get(WORKERS_ENV) or min(os.cpu_count() or 1, 8))
    if workers < 2:
        return None
    # spawn, not fork: forking a process that runs polars' thread pool can deadlock
    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))


def parse_all(parse: Callable[[str], tuple], values: list[str]) -> list[tuple]:
    """parse over values, in order; large inputs are split over worker processes (the
    parsers are pure Python and hold the GIL). `parse` must be importable (no lambdas).
    Chunks are mapped in order, so the result does not depend on the worker count."""
    large = len(values) >= PARALLEL_MIN_VALUES or os.environ.get(WORKERS_ENV)
    pool = _pool() if large and values else None
    if pool is None:
        return [parse(v) for v in values]
    size = -(-len(values) // (4 * pool._max_workers))
    chunks = [values[i:i + size] for i in range(0, len(values), size)]
    return [row for rows in pool.map(partial(_parse_chunk, parse), chunks) for row in rows]


FastPath = Callable[[pl.Series], tuple[pl.Series, pl.DataFrame]]


def map_distinct(values: pl.Series, parse: Callable[[str], tuple], schema: dict,
                 fast: FastPath | None = None) -> pl.DataFrame:
    """Run `parse` once per distinct non-null value; one output row per input row.

    Parsers are pure Python (names, addresses, phones), so this is where the work is:
    distinct values are far fewer than records in customer data. `fast`, when given, is
    the vectorised twin of `parse` for the common shapes: distinct values -> (a mask of
    the values it covers, their parts in `schema`, one row per value); `parse` runs on
    the rest only, and both must give the same parts (tests/test_normalize_fast_path.py).
    """
    distinct = values.drop_nulls().unique(maintain_order=True)
    pieces = []
    if fast is not None and len(distinct):
        covered, parts = fast(distinct)
        pieces.append(parts.with_columns(distinct.alias("__value")).filter(covered))
        distinct = distinct.filter(~covered)
    rows = parse_all(parse, distinct.to_list())
    pieces.append(pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        distinct.alias("__value")))
    parsed = pl.concat(pieces) if len(pieces) > 1 else pieces[0]
    return (pl.DataFrame({"__value": values}).join(parsed, on="__value", how="left",
                                                  maintain_order="left")
            .drop("__value"))
