"""fastbackend compile (alias generate)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from fastbackend.cli.exit_codes import UsageError, handle_errors
from fastbackend.diagnostics import Diagnostic
from fastbackend.frontends import FrontendResult
from fastbackend.pipeline import compile_path
from fastbackend.targets import available, render
from fastbackend_ir import write_if_changed

DEFAULT_TARGETS = ("ir", "openapi")

EPILOG = """\b
Examples:
  fastbackend compile                      # the schema in this folder -> .fastbackend/
  fastbackend compile models.py            # any models file
  fastbackend compile prisma/schema.prisma --target ir --target openapi
  fastbackend compile --out build/contract
"""


@click.command("compile", epilog=EPILOG)
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--target", "targets", multiple=True, metavar="NAME",
              help="Output to produce (ir, openapi, fastapi, express); repeatable. "
                   "Default: ir and openapi.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder. Default: .fastbackend/ beside the source.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@handle_errors
def compile_command(source: Path | None, targets: tuple[str, ...], out: Path | None,
                    quiet: bool) -> None:
    """Compile SOURCE (a models file or package, a .prisma file or folder, or a project folder;
    default: the current folder) into the IR and the selected outputs.

    Only files whose content changed are written. Exit codes: 0 ok, 2 usage error, 3 the
    input does not compile (diagnostics are printed as file:line:col: error FBxxx: message).
    """
    started = time.perf_counter()
    sources, result = compile_path(source)
    _print_warnings(result.warnings, quiet)
    out_dir = out or sources.output_dir
    written = _write_targets(result, targets, out_dir)
    if not quiet:
        elapsed_ms = (time.perf_counter() - started) * 1000
        click.echo(_summary(result, sources.relative(sources.entry), elapsed_ms, written, out_dir))


def _write_targets(result: FrontendResult, names: tuple[str, ...], out_dir: Path) -> list[Path]:
    known = available()
    chosen = names or tuple(name for name in DEFAULT_TARGETS if name in known)
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise UsageError(f"unknown target {', '.join(unknown)}; available: {', '.join(sorted(known))}")
    outputs = {path: text for name in chosen for path, text in render(known[name], result).items()}
    return [out_dir / path for path, text in sorted(outputs.items())
            if write_if_changed(out_dir / path, text)]


def _print_warnings(warnings: list[Diagnostic], quiet: bool) -> None:
    if quiet:
        return
    for warning in sorted(warnings):
        click.echo(warning.format(), err=True)


def _summary(result: FrontendResult, entry: str, elapsed_ms: float, written: list[Path],
             out_dir: Path) -> str:
    entities = len(result.ir.entities)
    relations = sum(len(e.relations) for e in result.ir.entities.values())
    changed = f"wrote {len(written)} file{'s' if len(written) != 1 else ''}" if written else "up to date"
    return (f"compiled {entry}: {entities} entities, {relations} relations in "
            f"{elapsed_ms:.0f} ms; {changed} in {out_dir}")
