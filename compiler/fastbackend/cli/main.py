"""The ``fastbackend`` command.

Each command's module is imported only when that command runs (or when help lists them):
``fastbackend --version`` and the pre-commit hook's ``compile --check`` must not pay for
importing the runtime, the diff engine or the front-end they do not use (issue #19). Keep this
module's imports to click and ``__about__``; tests/compiler/test_startup_imports.py guards it.
"""

from __future__ import annotations

import importlib

import click

from fastbackend.__about__ import __version__

EPILOG = """\b
Examples:
  fastbackend init blog && cd blog   # a ready project
  fastbackend dev                    # serve it at http://127.0.0.1:8301/docs, reloading on save
  fastbackend migrate --apply        # migrate the database to the models
  fastbackend compile models.py      # write .fastbackend/ir.json beside models.py
  fastbackend --version
Exit codes: 0 ok, 1 findings or stale output, 2 usage or config error, 3 input does not compile.
"""

# command name -> "module:attribute" (help lists them sorted, as click.Group does)
COMMANDS: dict[str, str] = {
    "init": "fastbackend.cli.init:init_command",
    "compile": "fastbackend.cli.compile:compile_command",
    "generate": "fastbackend.cli.compile:compile_command",
    "check": "fastbackend.cli.compile:check_command",
    "diff": "fastbackend.cli.diff:diff_command",
    "dev": "fastbackend.cli.dev:dev_command",
    "build": "fastbackend.cli.build:build_command",
    "migrate": "fastbackend.cli.migrate:migrate_command",
    "test": "fastbackend.cli.test:test_command",
    "docker:build": "fastbackend.cli.docker:docker_command",
    "worker": "fastbackend.cli.worker:worker_command",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (click's documented lazy-loading
    pattern: override ``list_commands`` and ``get_command``)."""

    def __init__(self, *args: object, lazy: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.lazy, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup, lazy=COMMANDS, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="fastbackend")
def cli() -> None:
    """FastBackend: your SQLAlchemy models or Prisma schema, compiled into a REST API."""


def main() -> None:
    cli()
