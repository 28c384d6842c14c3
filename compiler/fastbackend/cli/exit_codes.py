"""Exit codes (DESIGN.md) and the one place that turns failures into them."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import ParamSpec, TypeVar

import click

from fastbackend.config import ConfigError
from fastbackend.diagnostics import CompileError
from fastbackend_ir import IRError

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
        click.echo(diagnostic.format(), err=True)
    count = len(error.errors)
    click.echo(f"{count} error{'s' if count != 1 else ''}; nothing was written.", err=True)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Map expected failures to exit codes and clear messages, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ConfigError as error:  # a wrong fastbackend.yaml is a configuration error
            report_diagnostics(error)
            sys.exit(ExitCode.USAGE)
        except CompileError as error:
            report_diagnostics(error)
            sys.exit(ExitCode.DOES_NOT_COMPILE)
        except IRError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(ExitCode.DOES_NOT_COMPILE)
        except UsageError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(ExitCode.USAGE)

    return wrapper
