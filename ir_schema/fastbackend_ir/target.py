"""The contract between the CLI and an adapter that writes files: a pure render function.

An adapter package exposes ``TARGET = Target(...)`` and registers it in the ``fastbackend.targets``
entry-point group; the CLI decides where to write and writes only what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastbackend_ir.nodes import IR

Outputs = dict[str, str]
"""Relative output path (POSIX) -> file text."""


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    render: Callable[[IR], Outputs]
