"""compile: source files -> front-end -> IR passes -> validated IR (+ source map and warnings)."""

from __future__ import annotations

from pathlib import Path

from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend.frontends import FrontendResult, frontend_for
from fastbackend.sources import SourceSet, resolve
from fastbackend_ir import IRValidationError, dumps


def compile_path(source: str | Path | None = None) -> tuple[SourceSet, FrontendResult]:
    """Resolve SOURCE and compile it; raises CompileError with every diagnostic on failure."""
    sources = resolve(source)
    return sources, compile_sources(sources)


def compile_sources(sources: SourceSet) -> FrontendResult:
    result = frontend_for(sources.language).compile_sources(sources)
    try:
        dumps(result.ir)  # validates against the schema and the cross-reference checks
    except IRValidationError as error:
        raise CompileError([
            Diagnostic(sources.relative(sources.entry), 1, 1, "FB006", str(problem))
            for problem in error.problems
        ]) from None
    return result
