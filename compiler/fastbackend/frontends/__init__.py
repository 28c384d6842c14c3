"""Front-end registry: one front-end per source language, imported only when used.

A front-end is a module exposing ``compile_sources(sources: SourceSet) -> FrontendResult``. It reads
text only: it never imports or executes the user's code.
"""

from __future__ import annotations

import importlib
import typing
from dataclasses import dataclass, field
from typing import Protocol

from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend.sources import Language, SourceSet
from fastbackend_ir import IR, SourceMap

FRONTENDS: dict[Language, str] = {
    "sqlalchemy": "fastbackend.frontends.sqlalchemy",
    "prisma": "fastbackend.frontends.prisma",
    "ir": "fastbackend.frontends.ir",  # a compiled IR, loaded and validated as it is
}


@dataclass
class FrontendResult:
    ir: IR
    source_map: SourceMap = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    # The canonical ir.json text, set once by the pipeline when it validates the IR, so
    # writing it does not validate and serialize a second time.
    ir_text: str | None = None
    # The source files' text by their IR path, for targets that carry the user's schema along
    # (only the Prisma front-end keeps them: the Express target copies schema.prisma).
    source_texts: dict[str, str] = field(default_factory=dict)


class Frontend(Protocol):
    def compile_sources(self, sources: SourceSet) -> FrontendResult: ...


def frontend_for(language: Language) -> Frontend:
    module_name = FRONTENDS[language]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is None or not module_name.startswith(error.name):
            raise
        raise CompileError([Diagnostic(
            "<fastbackend>", 1, 1, "FB005", f"the {language} front-end is not available yet"
        )]) from None
    return typing.cast(Frontend, module)
