"""fastbackend diff: classify IR changes as breaking or not, for API clients and the database."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import click

from fastbackend.cli.exit_codes import ExitCode, UsageError, handle_errors
from fastbackend.diff import (
    DEFAULT_FAIL_ON,
    Report,
    Threshold,
    compare,
    locate,
    parse_fail_on,
)
from fastbackend.diff.catalogue import render_catalogue
from fastbackend.diff.formats import FORMATS
from fastbackend.diff.sides import Side, SideError, read_git_side, read_side, source_root
from fastbackend.pipeline import compile_path

EPILOG = """\b
Examples:
  fastbackend diff old/ir.json .fastbackend/ir.json
  fastbackend diff main:.fastbackend/ir.json .fastbackend/ir.json --format markdown
  fastbackend diff --against main                # committed IR at main vs the working tree
  fastbackend diff --against HEAD~1 --format github --fail-on api=warning,db=error
  git show main:.fastbackend/ir.json | fastbackend diff - .fastbackend/ir.json
  fastbackend diff --rules                       # the rule catalogue
Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error,
3 a side is not a valid IR or the working tree does not compile.
"""


GIT_DRIVER_ARGS = 7  # how git calls an external diff command


@click.command("diff", epilog=EPILOG)
@click.argument("sides", nargs=-1, metavar="BASE HEAD")
@click.option("--against", metavar="REF",
              help="Compare the IR committed at git REF with the working tree's (compiled now; "
                   "or the IR file given as the one argument).")
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATS)), default="text",
              show_default=True, help="Output format.")
@click.option("--fail-on", default=DEFAULT_FAIL_ON, show_default=True, metavar="api=L,db=L",
              help="Exit 1 when a finding reaches level L (error, warning, info or none) for API "
                   "clients or for the database.")
@click.option("--rules", "list_rules", is_flag=True, help="List the rule catalogue and exit.")
@handle_errors
def diff_command(sides: tuple[str, ...], against: str | None, output_format: str, fail_on: str,
                 list_rules: bool) -> None:
    """Compare two IRs and classify every change with a rule, a severity for API clients and
    one for the database, a stable fingerprint and a source location.

    Each of BASE and HEAD is an IR file, '-' (standard input) or GITREF:PATH (read with git
    show; PATH from the repository root). The ir.map.json beside an IR gives line numbers.
    Called by git as a diff driver (seven arguments), it prints the changes and exits 0.
    """
    if list_rules:
        click.echo(render_catalogue(output_format), nl=False)
        return
    if len(sides) == GIT_DRIVER_ARGS and not against:
        _git_driver(sides, output_format)
        return
    try:
        threshold = parse_fail_on(fail_on)
        base, head = _against(against, sides) if against else _two_sides(sides)
    except (ValueError, SideError) as error:
        raise UsageError(str(error)) from None
    report = _emit(base, head, threshold, output_format)
    if output_format == "github":
        _append_step_summary(report)
    if report.failed:
        sys.exit(ExitCode.FINDINGS)


def _emit(base: Side, head: Side, threshold: Threshold, output_format: str) -> Report:
    findings = locate(compare(base.ir, head.ir), base.locator, head.locator)
    report = Report(base.label, head.label, findings, threshold)
    click.echo(FORMATS[output_format](report), nl=False)
    return report


def _git_driver(args: tuple[str, ...], output_format: str) -> None:
    """Called by git as diff.fastbackend.command (path old-file old-hex old-mode new-file
    new-hex new-mode): print the classified changes and exit 0, since git takes any other
    exit code for a crashed driver."""
    path, old, new = args[0], args[1], args[4]
    if os.devnull in (old, new):
        click.echo(f"{path}: IR file {'added' if old == os.devnull else 'deleted'}")
        return
    root = source_root(path)
    base = replace(read_side(old), label=f"a/{path}", root=root)
    head = replace(read_side(new), label=f"b/{path}", root=root)
    _emit(base, head, Threshold(None, None), output_format)


def _two_sides(sides: tuple[str, ...]) -> tuple[Side, Side]:
    if len(sides) != 2:
        raise UsageError(f"expected BASE and HEAD (or --against REF), got {len(sides)} "
                         "argument(s); see fastbackend diff --help")
    if sides.count("-") > 1:
        raise UsageError("only one side can be read from standard input")
    return read_side(sides[0]), read_side(sides[1])


def _against(ref: str, sides: tuple[str, ...]) -> tuple[Side, Side]:
    """HEAD is the working tree: the IR file given, else the schema here compiled now."""
    if len(sides) > 1:
        raise UsageError("--against takes at most one argument: an IR file or a schema source")
    if sides and sides[0].endswith(".json"):
        head = read_side(sides[0])
        ir_path = Path(sides[0])
    else:
        head, ir_path = _compiled_working_tree(Path(sides[0]) if sides else None)
    top, inside = _repository_path(ir_path)
    return read_git_side(ref, inside, cwd=top), head


def _compiled_working_tree(source: Path | None) -> tuple[Side, Path]:
    found, result = compile_path(source)
    ir_path = found.output_dir / "ir.json"
    root = Path(os.path.relpath(found.root)).as_posix()
    return Side("working tree", result.ir, result.source_map, "" if root == "." else root), ir_path


def _repository_path(path: Path) -> tuple[Path, str]:
    """The repository root and ``path`` relative to it (what ``git show REF:PATH`` wants)."""
    folder = path.resolve().parent
    done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UsageError(f"--against needs a git repository; {folder} is not in one")
    top = Path(done.stdout.strip()).resolve()
    return top, path.resolve().relative_to(top).as_posix()


def _append_step_summary(report: Report) -> None:
    """In GitHub Actions, also write the Markdown summary for the run page."""
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(FORMATS["markdown"](report))
