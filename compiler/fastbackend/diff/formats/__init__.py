"""Output formats for ``fastbackend diff``: one module each, ``render(report) -> str``."""

from __future__ import annotations

from collections.abc import Callable

from fastbackend.diff.formats import github, json_format, markdown, text
from fastbackend.diff.report import Report

Renderer = Callable[[Report], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": json_format.render,
    "github": github.render,
}
