"""The ``fastbackend`` command."""

from __future__ import annotations

import click

from fastbackend.__about__ import __version__
from fastbackend.cli.build import build_command
from fastbackend.cli.compile import compile_command
from fastbackend.cli.dev import dev_command
from fastbackend.cli.diff import diff_command
from fastbackend.cli.docker import docker_command
from fastbackend.cli.init import init_command
from fastbackend.cli.migrate import migrate_command
from fastbackend.cli.test import test_command

EPILOG = """\b
Examples:
  fastbackend init blog && cd blog   # a ready project
  fastbackend dev                    # serve it at http://127.0.0.1:8301/docs, reloading on save
  fastbackend migrate --apply        # migrate the database to the models
  fastbackend compile models.py      # write .fastbackend/ir.json beside models.py
  fastbackend --version
Exit codes: 0 ok, 1 findings or stale output, 2 usage or config error, 3 input does not compile.
"""


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="fastbackend")
def cli() -> None:
    """FastBackend: your SQLAlchemy models or Prisma schema, compiled into a REST API."""


cli.add_command(init_command, "init")
cli.add_command(compile_command, "compile")
cli.add_command(compile_command, "generate")
cli.add_command(diff_command, "diff")
cli.add_command(dev_command, "dev")
cli.add_command(build_command, "build")
cli.add_command(migrate_command, "migrate")
cli.add_command(test_command, "test")
cli.add_command(docker_command, "docker:build")


def main() -> None:
    cli()
