"""What lifecycle commands share: compile the project's IR, find the runtime, report progress."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from fastbackend.cli.exit_codes import ExitCode, UsageError
from fastbackend.cli.locations import shown
from fastbackend.frontends import FrontendResult
from fastbackend.pipeline import compile_path
from fastbackend.runtimes import Runtime, RuntimeMissing, load_runtime
from fastbackend.sources import SourceSet
from fastbackend.targets import IR_TARGET, render
from fastbackend_ir import write_if_changed


@dataclass(frozen=True)
class Compiled:
    sources: SourceSet
    result: FrontendResult

    @property
    def root(self) -> Path:
        return self.sources.root

    @property
    def ir_path(self) -> Path:
        return self.sources.output_dir / "ir.json"


def compile_ir(source: Path | None, quiet: bool = False) -> Compiled:
    """Compile SOURCE and write .fastbackend/ir.json (and its map) when they changed."""
    sources, result = compile_path(source)
    if not quiet:
        for warning in sorted(result.warnings):
            click.echo(shown(warning, sources.root), err=True)
    for name, text in render(IR_TARGET, result).items():
        write_if_changed(sources.output_dir / name, text)
    return Compiled(sources, result)


def runtime() -> Runtime:
    try:
        return load_runtime()
    except RuntimeMissing as error:
        raise UsageError(str(error)) from None


@contextmanager
def runtime_failures(found: Runtime) -> Iterator[None]:
    """A database or migration failure is a message and exit 1, never a traceback."""
    try:
        yield
    except found.errors as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(ExitCode.FINDINGS) from None


class Printer:
    """Progress for people (styled, silenced by -q) or one JSON object for machines (--json)."""

    def __init__(self, quiet: bool = False, as_json: bool = False) -> None:
        self.quiet = quiet or as_json
        self.as_json = as_json

    def step(self, message: str) -> None:
        if not self.quiet:
            click.echo(click.style("• ", fg="cyan") + message)

    def done(self, message: str) -> None:
        if not self.quiet:
            click.echo(click.style("✓ ", fg="green", bold=True) + message)

    def warn(self, message: str) -> None:
        click.echo(click.style("! ", fg="yellow", bold=True) + message, err=True)

    def result(self, payload: dict[str, Any]) -> None:
        if self.as_json:
            click.echo(json.dumps(payload, indent=2, sort_keys=True))


def echo_lines(lines: list[str] | tuple[str, ...], indent: str = "    ", err: bool = False) -> None:
    for line in lines:
        click.echo(f"{indent}{line}", err=err)
