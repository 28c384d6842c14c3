"""compile: source files -> front-end -> IR passes -> validated IR (+ source map and warnings)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastbackend import config
from fastbackend.diagnostics import CompileError
from fastbackend.frontends import FrontendResult, frontend_for
from fastbackend.ir_problems import ir_problem_diagnostics
from fastbackend.passes import (
    contract,
    database,
    events,
    info,
    rate_limits,
    search,
    soft_delete,
    visibility,
)
from fastbackend.sources import SourceSet, resolve
from fastbackend_ir import IRValidationError, dumps


def compile_path(source: str | Path | None = None, roots: tuple[Path, ...] = ()
                 ) -> tuple[SourceSet, FrontendResult]:
    """Resolve SOURCE and compile it; raises CompileError with every diagnostic on failure.
    ``roots`` are where a Python project's absolute imports are looked up first (``--root``)."""
    sources = resolve(source)
    if roots:
        sources = replace(sources, import_roots=roots)
    try:
        return sources, compile_sources(sources)
    except CompileError as error:
        error.root = sources.root  # what the diagnostics' paths are relative to
        raise


def compile_sources(sources: SourceSet) -> FrontendResult:
    result = frontend_for(sources.language).compile_sources(sources)
    # fastbackend.yaml was decided into a compiled IR already; a second pass would find the
    # IR's names, not the schema's.
    configured = config.read(sources.root) if sources.language != "ir" else None
    if configured is not None:  # fastbackend.yaml's models, api and database sections, decided into the IR
        ir = visibility.apply(result.ir, configured, result.source_map)
        ir = search.apply(ir, configured)  # after the roles: hidden fields are not searched
        ir = soft_delete.apply(ir, configured)  # after the roles: the stamp becomes read-only
        ir = info.apply(ir, configured, sources.root)
        ir = database.apply(ir, configured)  # the family the Express target is emitted for
        result = replace(result, ir=events.apply(ir, configured))
    # last: exposure, operations and field roles decide the contract (routes, roles, links)
    result = replace(result, ir=contract.record(result.ir))
    if configured is not None:  # per-route rate limits go on the routes the contract decided
        result = replace(result, ir=rate_limits.apply(result.ir, configured))
    try:
        text = dumps(result.ir)  # validates against the schema and the cross-reference checks
    except IRValidationError as error:
        raise CompileError(ir_problem_diagnostics(
            error, result.source_map, sources.relative(sources.entry), result.source_texts)
        ) from None
    return replace(result, ir_text=text)
