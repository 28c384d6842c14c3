"""Data-only package: grammar files, read with importlib.resources (editable install or wheel)."""

from __future__ import annotations

from importlib.resources import files


def read_grammar(name: str) -> str:
    """The text of a grammar shipped in this package, e.g. ``read_grammar("prisma.lark")``."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")
