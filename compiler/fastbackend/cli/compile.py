"""fastbackend compile (alias generate), with --check and --diff for pre-commit and CI."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fastbackend.cli.check import (
    EXCLUDED_FROM_CHECK,
    Stale,
    display,
    fix_command,
    stage_command,
    stale_outputs,
)
from fastbackend.cli.exit_codes import ExitCode, UsageError, handle_errors, report_diagnostics
from fastbackend.cli.locations import shown
from fastbackend.cli.observe import Observation
from fastbackend.cli.options import json_option

# The compiler proper is imported when a compile runs: a --check that its stamp answers
# (stamps.py) loads none of it.
if TYPE_CHECKING:
    from fastbackend.diagnostics import Diagnostic
    from fastbackend.frontends import FrontendResult
    from fastbackend.sources import SourceSet
    from fastbackend.targets import BuiltinTarget
    from fastbackend_ir.target import Target

DEFAULT_TARGETS = ("ir", "openapi")

EPILOG = """\b
Examples:
  fastbackend compile                      # the schema in this folder -> .fastbackend/
  fastbackend compile models.py            # any models file
  fastbackend compile prisma/schema.prisma --target ir --target openapi
  fastbackend compile --out build/contract
  fastbackend compile --check              # pre-commit / CI: exit 1 when an output is stale
  fastbackend compile --check --diff       # ... and show what would change
  fastbackend compile --watch              # compile again on every save
"""


# The options `compile` and `check` share, defined once.
SOURCE = click.argument("source", required=False, type=click.Path(path_type=Path))
TARGETS = click.option(
    "--target", "targets", multiple=True, metavar="NAME",
    help="Output to produce (ir, openapi, openapi-json, fastapi, express); repeatable. "
         "Default: ir and openapi.")
OUT = click.option("--out", type=click.Path(path_type=Path, file_okay=False),
                   help="Output folder. Default: .fastbackend/ beside the source.")
DIFF = click.option("--diff", "show_diff", is_flag=True,
                    help="Write nothing; print a unified diff of each stale output "
                         "(implies --check).")
ROOTS = click.option("--root", "roots", multiple=True,
                     type=click.Path(path_type=Path, file_okay=False, exists=True),
                     help="Where the models' absolute imports start (like a sys.path entry); "
                          "repeatable. Default: found from __init__.py packages and "
                          "pyproject.toml.")
QUIET = click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
NO_CACHE = click.option("--no-cache", is_flag=True,
                        help="Do not use or record --check stamps: always compile to check "
                             "(FASTBACKEND_NO_CACHE=1 also leaves out the parser's cached "
                             "tables).")


@click.command("compile", epilog=EPILOG,
               short_help="Compile the schema into the IR and other outputs.")
@SOURCE
@TARGETS
@OUT
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when an output is stale or missing "
                   "(ir.map.json is not checked).")
@DIFF
@click.option("--exit-non-zero-on-change", "fail_on_change", is_flag=True,
              help="Exit 1 when a file was written (the pre-commit hook uses this).")
@click.option("--watch", is_flag=True,
              help="Compile again whenever the schema, fastbackend.yaml or code under app/ changes "
                   "(Ctrl-C stops).")
@ROOTS
@QUIET
@NO_CACHE
@json_option
@handle_errors
def compile_command(source: Path | None, targets: tuple[str, ...], out: Path | None,
                    check: bool, show_diff: bool, fail_on_change: bool, watch: bool,
                    roots: tuple[Path, ...], quiet: bool, no_cache: bool, as_json: bool) -> None:
    """Compile SOURCE (a models file or package, a .prisma file or folder, or a project folder;
    default: the current folder) into the IR and the selected outputs.

    Only files whose content changed are written. Exit codes: 0 ok, 1 stale outputs (--check)
    or files changed (--exit-non-zero-on-change), 2 usage error, 3 the input does not compile
    (diagnostics are printed as file:line:col: error FBxxx: message).
    """
    if watch:
        _watch(source, targets, out, quiet, roots)
        return
    checking = check or show_diff
    key = None if no_cache or _stamps_disabled() else _stamp_key(source, targets, out, roots)
    if checking and key is not None and _stamped_fresh(key, quiet):
        _check([], show_diff, "", quiet)
        return
    started = time.perf_counter()
    from fastbackend.gc_pause import paused_gc
    from fastbackend.pipeline import compile_path

    with _recording(key is not None) as observations, paused_gc():
        sources, result = compile_path(source, roots)
        _print_warnings(result.warnings, quiet, sources.root)
        out_dir = out or sources.output_dir
        outputs = _render_targets(result, targets)
    if checking:
        stale = stale_outputs(outputs, out_dir)
        if key is not None and not stale:
            _save_stamp(key, out_dir, outputs, observations, result.warnings, sources.root)
        _check(stale, show_diff, _fix(source, targets, out, out_dir), quiet)
        return
    written = _write(sources, result, outputs, out_dir, started, quiet or as_json)
    if key is not None:
        _save_stamp(key, out_dir, outputs, observations, result.warnings, sources.root)
    if as_json:
        click.echo(json.dumps(_report(sources, result, started, written, out_dir), indent=2))
    if fail_on_change and written:
        for path in written:
            click.echo(f"changed: {display(path)}", err=True)
        stage = stage_command(out_dir)
        if stage is not None:
            click.echo(f"review the changes, then stage them: {stage}", err=True)
        sys.exit(ExitCode.FINDINGS)


def _stamps_disabled() -> bool:
    from fastbackend.cache_dir import caching_disabled

    return caching_disabled()


def _stamp_key(source: Path | None, targets: tuple[str, ...], out: Path | None,
               roots: tuple[Path, ...]) -> str:
    from fastbackend.cli import stamps

    return stamps.request_key(source, targets, out, roots)


def _stamped_fresh(key: str, quiet: bool) -> bool:
    """A stamp answers the check: the inputs and outputs are as when a check last passed."""
    from fastbackend.cli import stamps

    stamp = stamps.load(key)
    if stamp is None or not stamp.holds():
        return False
    if not quiet:
        for line in stamp.warnings:
            click.echo(line, err=True)
    return True


@contextmanager
def _recording(active: bool) -> Iterator[list[Observation]]:
    if not active:
        yield []
        return
    from fastbackend.cli import observe, stamps

    with observe.recording(stamps.ignored_prefixes()) as observations:
        yield observations


def _save_stamp(key: str, out_dir: Path, outputs: dict[str, str],
                observations: list[Observation], warnings: list[Diagnostic], root: Path) -> None:
    from fastbackend.cli import stamps

    checked = {name: stamps.text_hash(text.encode("utf-8")) for name, text in outputs.items()
               if Path(name).name not in EXCLUDED_FROM_CHECK}
    stamps.save(key, stamps.Stamp(os.path.abspath(out_dir), checked, observations,
                                  [shown(warning, root) for warning in sorted(warnings)]))


def _fix(source: Path | None, targets: tuple[str, ...], out: Path | None, out_dir: Path) -> str:
    """The command that makes the outputs fresh, and stages them inside a git work tree."""
    stage = stage_command(out_dir)
    fix = fix_command(source, targets, out)
    return fix if stage is None else f"{fix} && {stage}"


def _report(sources: SourceSet, result: FrontendResult, started: float, written: list[Path],
            out_dir: Path) -> dict[str, object]:
    return {"source": sources.relative(sources.entry), "out": str(out_dir),
            "entities": len(result.ir.entities),
            "relations": sum(len(e.relations) for e in result.ir.entities.values()),
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
            "written": [display(path) for path in written]}


def _write(sources: SourceSet, result: FrontendResult, outputs: dict[str, str], out_dir: Path,
           started: float, quiet: bool) -> list[Path]:
    from fastbackend_ir import write_if_changed

    written = [out_dir / path for path, text in sorted(outputs.items())
               if write_if_changed(out_dir / path, text)]
    if not quiet:
        elapsed_ms = (time.perf_counter() - started) * 1000
        click.echo(_summary(result, sources.relative(sources.entry), elapsed_ms, written, out_dir))
    return written


def _watch(source: Path | None, targets: tuple[str, ...], out: Path | None, quiet: bool,
           roots: tuple[Path, ...] = ()) -> None:
    """Compile now and after every change; a compile error is printed and watching goes on."""
    from fastbackend.cli.watching import WatchSet, changes
    from fastbackend.sources import resolve

    _chosen_targets(targets)  # an unknown target is a usage error before any watching
    watched = WatchSet.of(resolve(source))
    before = watched.snapshot()
    _compile_once(source, targets, out, quiet, roots)

    def ready() -> None:
        click.echo(f"watching {display(watched.root)} for changes (Ctrl-C to stop)", err=True)

    for changed in changes(watched, since=before, on_ready=ready):
        if not quiet:
            click.echo(f"changed: {', '.join(sorted(display(path) for path in changed))}", err=True)
        _compile_once(source, targets, out, quiet, roots)


def _compile_once(source: Path | None, targets: tuple[str, ...], out: Path | None,
                  quiet: bool, roots: tuple[Path, ...] = ()) -> None:
    from fastbackend.diagnostics import CompileError
    from fastbackend.gc_pause import paused_gc
    from fastbackend.pipeline import compile_path

    started = time.perf_counter()
    with paused_gc():
        try:
            sources, result = compile_path(source, roots)
        except CompileError as error:
            report_diagnostics(error)
            return
        _print_warnings(result.warnings, quiet, sources.root)
        out_dir = out or sources.output_dir
        outputs = _render_targets(result, targets)
    _write(sources, result, outputs, out_dir, started, quiet)


def _render_targets(result: FrontendResult, names: tuple[str, ...]) -> dict[str, str]:
    from fastbackend.targets import render

    known = _chosen_targets(names)
    return {path: text for target in known.values()
            for path, text in render(target, result).items()}


def _chosen_targets(names: tuple[str, ...]) -> dict[str, Target | BuiltinTarget]:
    """The targets to render, in order; only they are imported."""
    from fastbackend.targets import available

    known = available(names or DEFAULT_TARGETS)
    chosen = names or tuple(name for name in DEFAULT_TARGETS if name in known)
    unknown = [name for name in chosen if name not in known]
    if unknown:
        everything = available()
        raise UsageError(f"unknown target {', '.join(unknown)}; available: "
                         f"{', '.join(sorted(everything))}")
    return {name: known[name] for name in chosen}


def _check(stale: list[Stale], show_diff: bool, fix: str, quiet: bool) -> None:
    if not stale:
        if not quiet:
            click.echo("all outputs are up to date")
        return
    if show_diff:
        for item in stale:
            click.echo(item.unified_diff(), nl=False)
    for item in stale:
        click.echo(f"stale: {display(item.path)} ({item.reason})", err=True)
    count = len(stale)
    click.echo(f"{count} output{'s are' if count != 1 else ' is'} stale; run: {fix}", err=True)
    sys.exit(ExitCode.FINDINGS)


def _print_warnings(warnings: list[Diagnostic], quiet: bool, root: Path) -> None:
    if quiet:
        return
    for warning in sorted(warnings):
        click.echo(shown(warning, root), err=True)


def _summary(result: FrontendResult, entry: str, elapsed_ms: float, written: list[Path],
             out_dir: Path) -> str:
    entities = len(result.ir.entities)
    relations = sum(len(e.relations) for e in result.ir.entities.values())
    changed = f"wrote {len(written)} file{'s' if len(written) != 1 else ''}" if written else "up to date"
    return (f"compiled {entry}: {entities} entities, {relations} relations in "
            f"{elapsed_ms:.0f} ms; {changed} in {out_dir}")


CHECK_EPILOG = """\b
Examples:
  fastbackend check                        # exit 1 when .fastbackend/ is stale
  fastbackend check --diff                 # ... and show what compile would change
  fastbackend check prisma/schema.prisma --target ir --target openapi
"""


@click.command("check", epilog=CHECK_EPILOG,
               short_help="Exit 1 when an output is stale (for pre-commit).")
@SOURCE
@TARGETS
@OUT
@DIFF
@ROOTS
@QUIET
@NO_CACHE
@click.pass_context
def check_command(ctx: click.Context, source: Path | None, targets: tuple[str, ...],
                  out: Path | None, show_diff: bool, roots: tuple[Path, ...], quiet: bool,
                  no_cache: bool) -> None:
    """Check that the outputs of SOURCE are up to date, writing nothing: `compile --check`
    under the name pre-commit hooks and CI scripts look for. Exit codes: 0 up to date, 1 an
    output is stale or missing (the message says how to fix it), 2 usage error, 3 the input
    does not compile."""
    ctx.invoke(compile_command, source=source, targets=targets, out=out, check=True,
               show_diff=show_diff, fail_on_change=False, watch=False, roots=roots, quiet=quiet,
               no_cache=no_cache, as_json=False)
