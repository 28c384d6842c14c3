"""Pause Python's cyclic garbage collector while a compile builds its large object graphs.

A compile allocates hundreds of thousands of small objects that live until it ends (libcst and
lark trees, IR nodes, the OpenAPI document and its text): the collector keeps rescanning them
and finds almost nothing to free. Pausing it cut a 300-model compile by a sixth and made large
models.py files compile twice as fast, with the same peak memory (reference counting still
frees everything that is not in a cycle).
"""

from __future__ import annotations

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
