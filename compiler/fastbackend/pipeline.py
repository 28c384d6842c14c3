"""compile: source files -> front-end -> IR passes -> validated IR (+ source map and warnings)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastbackend import config
from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend.frontends import FrontendResult, frontend_for
from fastbackend.passes import visibility
from fastbackend.sources import SourceSet, resolve
from fastbackend_ir import IRValidationError, dumps


def compile_path(source: str | Path | None = None, roots: tuple[Path, ...] = ()
                 ) -> tuple[SourceSet, FrontendResult]:
    """Resolve SOURCE and compile it; raises CompileError with every diagnostic on failure.
    ``roots`` are where a Python project's absolute imports are looked up first (``--root``)."""
    sources = resolve(source)
    if roots:
        sources = replace(sources, import_roots=roots)
    return sources, compile_sources(sources)


def compile_sources(sources: SourceSet) -> FrontendResult:
    result = frontend_for(sources.language).compile_sources(sources)
    # fastbackend.yaml was decided into a compiled IR already; a second pass would find the
    # IR's names, not the schema's.
    configured = config.read(sources.root) if sources.language != "ir" else None
    if configured is not None:  # fastbackend.yaml's models section, decided into the IR
        result = replace(result, ir=visibility.apply(result.ir, configured, result.source_map))
    try:
        text = dumps(result.ir)  # validates against the schema and the cross-reference checks
    except IRValidationError as error:
        raise CompileError([
            Diagnostic(sources.relative(sources.entry), 1, 1, "FB006", str(problem))
            for problem in error.problems
        ]) from None
    return replace(result, ir_text=text)
