"""fastbackend test: the project's pytest, with `client` and `db` fixtures from the runtime."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from fastbackend.cli.exit_codes import handle_errors
from fastbackend.cli.options import quiet_option
from fastbackend.cli.project import Printer, compile_ir

# The runtime's pytest plugin (entry point pytest11) reads this to find the project.
PROJECT_VARIABLE = "FASTBACKEND_PROJECT"

EPILOG = """\b
Examples:
  fastbackend test                       # tests/ of the project in this folder
  fastbackend test -- -k author -x       # pytest's own options after --
  fastbackend test path/to/project -x    # SOURCE first, then pytest's arguments
Exit codes: pytest's (0 all passed, 1 failures, 5 no tests), or 3 when the models do not compile.
"""


@click.command("test", epilog=EPILOG, context_settings={"ignore_unknown_options": True},
               short_help="Run the project's tests on a fresh database.")
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED, metavar="[SOURCE] [PYTEST_ARGS]...")
@quiet_option
@handle_errors
def test_command(arguments: tuple[str, ...], quiet: bool) -> None:
    """Compile SOURCE (default: the current folder), then run the project's pytest in its
    folder. Tests get `client` (a TestClient of the API, custom routes included) and `db` (a
    SQLAlchemy engine), on a fresh temporary database built from the IR for every test.

    The first argument is SOURCE unless it starts with '-'; the others go to pytest.
    """
    source, pytest_args = split_arguments(arguments)
    compiled = compile_ir(source, quiet, reuse=True)
    printer = Printer(quiet)
    printer.step(f"compiled {compiled.sources.relative(compiled.sources.entry)}; running pytest")
    env = {**os.environ, PROJECT_VARIABLE: str(compiled.root.resolve())}
    command = [sys.executable, "-m", "pytest", *(["-q"] if quiet else []), *pytest_args]
    done = subprocess.run(command, cwd=compiled.root, env=env, check=False)
    sys.exit(done.returncode)


def split_arguments(arguments: tuple[str, ...]) -> tuple[Path | None, tuple[str, ...]]:
    if arguments and not arguments[0].startswith("-"):
        return Path(arguments[0]), arguments[1:]
    return None, arguments
