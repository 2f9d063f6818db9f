"""Two pieces of a stage at once, in threads.

The stage kernels hold the GIL for part of their work (strings handed to rapidfuzz as
Python lists, nickname checks, the parsers' Python fallback) and release it in polars and
rapidfuzz. Two pieces at once let one's Python steps run while the other's native work
does (measured at 1.2M records: normalize 14.5 to 11.4 s, compare 22.7 to 17.6 s; three
at once gained nothing more on two cores). Results come back in the pieces' order, so
the frames are those of one piece after another.
"""

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

AT_ONCE = 2


def in_order(work: Callable, pieces: Iterable) -> Iterator:
    """work(piece) for every piece, AT_ONCE at a time, yielded in the pieces' order."""
    with ThreadPoolExecutor(AT_ONCE) as pool:
        yield from pool.map(work, pieces)
