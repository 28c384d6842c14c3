"""`@once_per_ir`: a function of the IR computed once per IR, remembered for the last one seen.

The emitter asks some per-IR facts once per model or relation; computing them each time grew
with the square of the models (issue #19). The IR is compared by identity (its nodes are
frozen): functools' caches cannot serve, since they hash their arguments and an IR holds dicts
(unhashable; and hashing it whole on every call would cost the walk the cache saves).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from fastbackend_ir import IR

T = TypeVar("T")


@dataclass
class OncePerIR(Generic[T]):
    """``compute`` of the last IR seen; ``compute`` runs again only for another IR."""

    compute: Callable[[IR], T]
    last: tuple[IR, T] | None = None

    def __call__(self, ir: IR) -> T:
        if self.last is None or self.last[0] is not ir:
            self.last = (ir, self.compute(ir))
        return self.last[1]


def once_per_ir(compute: Callable[[IR], T]) -> OncePerIR[T]:
    """Decorates a function of the IR alone."""
    return OncePerIR(compute)
