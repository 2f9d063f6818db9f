"""Pausing Python's cyclic garbage collector while a stage builds many small objects.

The stages that run Python loops (clustering's cluster objects, households' union-find,
survivorship and parsing) allocate hundreds of thousands of dicts, sets and tuples that
stay alive until the stage ends. Each allocation burst wakes the cyclic collector, and
its full passes walk every live object again: at 500k records that was half of the
clustering stage. Those objects form no reference cycles, so reference counting frees
them without the collector; it is paused for the stage and restored after.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
