"""What lifecycle commands share: compile the project's IR, find the runtime, report progress."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from fastbackend.cli.exit_codes import ExitCode, UsageError
from fastbackend.cli.locations import shown
from fastbackend.frontends import FrontendResult
from fastbackend.gc_pause import paused_gc
from fastbackend.pipeline import compile_path
from fastbackend.runtimes import Runtime, RuntimeMissing, load_runtime
from fastbackend.sources import SourceSet, resolve
from fastbackend.targets import IR_TARGET, render
from fastbackend_ir import load, write_if_changed
from fastbackend_ir.io import remember

IR_OUTPUTS = ("ir.json", "ir.map.json")


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


def compile_ir(source: Path | None, quiet: bool = False, reuse: bool = False) -> Compiled:
    """Compile SOURCE and write .fastbackend/ir.json (and its map) when they changed."""
    return compile_project(source, quiet, reuse)[0]


def compile_project(source: Path | None, quiet: bool = False,
                    reuse: bool = False) -> tuple[Compiled, bool]:
    """``compile_ir``, and whether ir.json's bytes changed.

    ``reuse``: when a stamp (the one `compile --check` answers from, stamps.py) shows that
    nothing the last compile of this request read has changed and .fastbackend/ holds what it
    wrote, the IR is read back from ir.json instead of compiled again: `migrate` then `dev`
    compile once, and a compile costs more than the rest of a migrate (0.7 CPU s of front-end
    imports and work, against 0.1 to read the IR). The result then holds the IR and the
    warnings only (no source map or source texts): for commands that need no other output.
    """
    key = _stamp_key(source)
    if reuse and key is not None:
        reused = _reused(key, source, quiet)
        if reused is not None:
            return reused, False
    # The outputs are written while recording, so that the project folder is listed with
    # .fastbackend/ in it: a first command in a fresh project leaves a stamp the next can use.
    with _recording(key is not None) as observations, paused_gc():  # as `compile` does
        sources, result = compile_path(source)
        outputs = render(IR_TARGET, result)
        written = {name: write_if_changed(sources.output_dir / name, text)
                   for name, text in outputs.items()}
    # `dev` serves it from this process: its runtime then loads this IR, not a decode of it
    remember(sources.output_dir / "ir.json", outputs["ir.json"], result.ir)
    warnings = [shown(warning, sources.root) for warning in sorted(result.warnings)]
    if not quiet:
        for line in warnings:
            click.echo(line, err=True)
    if key is not None:
        _stamp(key, sources, outputs, observations, warnings)
    return Compiled(sources, result), written.get("ir.json", False)


def _stamp(key: str, sources: SourceSet, outputs: dict[str, str],
           observations: list[tuple[str, str, str]], warnings: list[str]) -> None:
    """Save what the compile read, less what writing the outputs looked at: the outputs are
    stamped by their hashes (the IR-source language reads its input from there: kept)."""
    from fastbackend.cli import stamps

    out_dir = os.path.abspath(sources.output_dir)
    if sources.language != "ir":
        observations = [seen for seen in observations
                        if seen[1] != out_dir and not seen[1].startswith(out_dir + os.sep)]
    stamps.save(key, stamps.Stamp(
        out_dir, {name: stamps.text_hash(text.encode("utf-8")) for name, text in outputs.items()},
        observations, warnings))


def _stamp_key(source: Path | None) -> str | None:
    """The key of `fastbackend compile SOURCE --target ir`: the same request, the same stamp."""
    from fastbackend.cache_dir import caching_disabled

    if caching_disabled():
        return None
    from fastbackend.cli import stamps

    return stamps.request_key(source, (IR_TARGET.name,), None, ())


@contextmanager
def _recording(active: bool) -> Iterator[list[tuple[str, str, str]]]:
    if not active:
        yield []
        return
    from fastbackend.cli import observe, stamps

    with observe.recording(stamps.ignored_prefixes()) as observations:
        yield observations


def _reused(key: str, source: Path | None, quiet: bool) -> Compiled | None:
    from fastbackend.cli import stamps

    stamp = stamps.load(key)
    # both outputs stamped (a `compile --check` stamp leaves the map out) and as written
    if stamp is None or set(stamp.outputs) != set(IR_OUTPUTS) or not stamp.holds():
        return None
    sources = resolve(source)
    ir_path = sources.output_dir / "ir.json"
    if os.path.abspath(sources.output_dir) != stamp.out_dir:
        return None
    if not quiet:
        for line in stamp.warnings:
            click.echo(line, err=True)
    return Compiled(sources, FrontendResult(ir=load(ir_path)))


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
