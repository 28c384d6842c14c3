"""The contract between the CLI and an adapter that writes files: a pure render function.

An adapter package exposes ``TARGET = Target(...)`` and registers it in the ``fastbackend.targets``
entry-point group; the CLI decides where to write and writes only what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastbackend_ir.nodes import IR

Outputs = dict[str, str]
"""Relative output path (POSIX) -> file text."""

SourceTexts = Mapping[str, str]
"""The schema's files as the user wrote them, by the paths the IR names (``ir.source.files``)."""


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    render: Callable[[IR], Outputs]
    # For a target that can carry the user's own schema text along (the Express target copies
    # a schema.prisma): called instead of ``render`` when the CLI has the source files, which
    # it does not when SOURCE was a compiled IR. Everything else still comes from the IR.
    render_with_sources: Callable[[IR, SourceTexts], Outputs] | None = None
