"""The Prisma front-end: schema.prisma (or a folder of .prisma files) -> IR.

parse (lark, per file) -> ast -> validate (Prisma's rules, every problem collected) -> lower -> IR.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend.frontends import FrontendResult
from fastbackend.frontends.prisma.compile import compile_texts
from fastbackend.sources import SourceSet

__all__ = ["compile_sources", "compile_texts"]


def compile_sources(sources: SourceSet) -> FrontendResult:
    texts: dict[str, str] = {}
    for path in sources.files:
        name = sources.relative(path)
        try:
            texts[name] = Path(path).read_text("utf-8")
        except (UnicodeDecodeError, OSError) as error:
            raise CompileError([Diagnostic(name, 1, 1, "FB004", f"cannot read {name}: {error}")]
                               ) from None
    return replace(compile_texts(texts), source_texts=texts)

