"""Exit codes (DESIGN.md) and the one place that turns failures into them."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import NoReturn, ParamSpec, TypeVar

import click

from fastbackend.cli.locations import shown
from fastbackend.diagnostics import CompileError

P = ParamSpec("P")
R = TypeVar("R")


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # findings at or above the threshold, or stale output
    USAGE = 2  # usage or configuration error
    DOES_NOT_COMPILE = 3  # the input does not compile


class UsageError(Exception):
    """A configuration or usage problem the user can fix (exit 2)."""


def report_diagnostics(error: CompileError) -> None:
    for diagnostic in error.diagnostics:
        click.echo(shown(diagnostic, error.root), err=True)
    count = len(error.errors)
    click.echo(f"{count} error{'s' if count != 1 else ''}; nothing was written.", err=True)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Map expected failures to exit codes and clear messages, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (CompileError, UsageError) as error:
            _exit_for(error)
        except Exception as error:
            if not _is_ir_error(error):
                raise
            click.echo(f"error: {error}", err=True)
            sys.exit(ExitCode.DOES_NOT_COMPILE)

    return wrapper


def _exit_for(error: CompileError | UsageError) -> NoReturn:
    if isinstance(error, UsageError):
        click.echo(f"error: {error}", err=True)
        sys.exit(ExitCode.USAGE)
    report_diagnostics(error)
    # a wrong fastbackend.yaml (a ConfigError is a CompileError) is a configuration error
    config_error = _is_instance(error, "fastbackend.config", "ConfigError")
    sys.exit(ExitCode.USAGE if config_error else ExitCode.DOES_NOT_COMPILE)


def _is_ir_error(error: Exception) -> bool:
    return _is_instance(error, "fastbackend_ir.errors", "IRError")


def _is_instance(error: Exception, module_name: str, class_name: str) -> bool:
    """Tells an error's class without importing its module on every run (the IR package
    loads jsonschema): when such an error was raised, its module is loaded already."""
    module = sys.modules.get(module_name)
    return module is not None and isinstance(error, getattr(module, class_name))
