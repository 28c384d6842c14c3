"""The SQLAlchemy front-end: reads models.py (or a package of modules) as text with libcst.

It never imports or executes the user's code. Stages: load and collect facts per module
(project.py, collect.py), decide what each class is (classes.py, mapping.py), interpret columns,
types, defaults, constraints and relationships, lower to the IR (lower.py), then the API pass.
"""

from __future__ import annotations

from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend.frontends import FrontendResult
from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy.classes import Classifier
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.fold import fold_constants
from fastbackend.frontends.sqlalchemy.loader import load
from fastbackend.frontends.sqlalchemy.lower import lower
from fastbackend.frontends.sqlalchemy.mapping import find_models
from fastbackend.frontends.sqlalchemy.report import Reporter
from fastbackend.frontends.sqlalchemy.runtime import warn_class_hooks, warn_runtime_constructs
from fastbackend.frontends.sqlalchemy.unresolved import report_no_models
from fastbackend.gc_pause import paused_gc
from fastbackend.passes.api import assign_api
from fastbackend.passes.constraint_names import PostgresDefaultNames, assign_names
from fastbackend.sources import SourceSet

__all__ = ["compile_sources"]


def compile_sources(sources: SourceSet) -> FrontendResult:
    with paused_gc():  # libcst's trees: rescanning them made large files take twice as long
        return _compile(sources)


def _compile(sources: SourceSet) -> FrontendResult:
    reporter = Reporter()
    try:
        result = _stages(sources, reporter)
    except CompileError:
        raise
    except Exception as error:  # a compiler bug must still not print a traceback at the user
        entry = sources.relative(sources.entry)
        reporter.raw(Diagnostic(entry, 1, 1, codes.INTERNAL, "internal error of the SQLAlchemy "
                                f"front-end ({type(error).__name__}: {error}); please report it"))
        raise CompileError(reporter.diagnostics) from error
    return result


def _stages(sources: SourceSet, reporter: Reporter) -> FrontendResult:
    symbols = load(sources, reporter)
    reporter.raise_if_errors()
    fold_constants(symbols)
    ctx = Context(symbols, Classifier(symbols), reporter)
    warn_runtime_constructs(ctx)
    models = find_models(ctx)
    warn_class_hooks(ctx, [model.cls for model in models])
    if not models and not any(d.is_error for d in reporter.diagnostics):
        report_no_models(ctx, sources.relative(sources.entry))
    reporter.raise_if_errors()
    ir, source_map = lower(ctx, models)
    reporter.raise_if_errors()
    named = assign_names(assign_api(ir), PostgresDefaultNames())
    return FrontendResult(named, source_map, reporter.warnings)
