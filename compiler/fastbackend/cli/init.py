"""fastbackend init: a ready project that `fastbackend dev` serves with no edits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

import click

from fastbackend.cli.check import display
from fastbackend.cli.exit_codes import UsageError, handle_errors
from fastbackend.cli.options import quiet_option

EPILOG = """\b
Examples:
  fastbackend init blog                    # SQLAlchemy models (models.py)
  fastbackend init shop --schema prisma    # a Prisma schema (schema.prisma)
  cd blog && fastbackend dev               # serves at http://127.0.0.1:8301/docs
Exit codes: 0 ok, 2 the folder exists and is not empty, or NAME is not a usable name.
"""

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Flavour:
    """What differs between a SQLAlchemy and a Prisma project."""

    schema_file: str
    author_key: str  # the API name of Note's foreign key, for the example tests


FLAVOURS = {
    "sqlalchemy": Flavour("models.py", "author_id"),
    "prisma": Flavour("schema.prisma", "authorId"),
}

# template (under templates/init/) -> file in the new project
COMMON_FILES = {
    "common/fastbackend.yaml.tmpl": "fastbackend.yaml",
    "common/hello.py.tmpl": "app/custom/hello.py",
    "common/keep_authors.py.tmpl": "app/custom/keep_authors.py",
    "common/env.example.tmpl": ".env.example",
    "common/gitignore.tmpl": ".gitignore",
    "common/pre-commit-config.yaml.tmpl": ".pre-commit-config.yaml",
    "common/test_api.py.tmpl": "tests/test_api.py",
    "common/README.md.tmpl": "README.md",
}


@click.command("init", epilog=EPILOG,
               short_help="Create a ready project.")
@click.argument("name")
@click.option("--schema", "language", type=click.Choice(sorted(FLAVOURS)), default="sqlalchemy",
              show_default=True, help="Write SQLAlchemy models or a Prisma schema.")
@quiet_option
@handle_errors
def init_command(name: str, language: str, quiet: bool) -> None:
    """Create the project NAME in a new folder: models.py (or schema.prisma),
    fastbackend.yaml, app/custom/ with an example route and an example override, tests/ that
    use the `client` and `db` fixtures, .env.example, .gitignore and .pre-commit-config.yaml.
    """
    folder = Path(name)
    _check_target(folder)
    flavour = FLAVOURS[language]
    written = write_project(folder, language, flavour)
    if not quiet:
        click.echo(click.style("✓ ", fg="green", bold=True)
                   + f"created {display(folder)}/ ({len(written)} files, {language})")
        click.echo(f"  next: cd {display(folder)} && fastbackend dev")


def _check_target(folder: Path) -> None:
    if not NAME.match(folder.name):
        raise UsageError(f"{folder.name!r} is not a usable project name: start with a letter; "
                         "then letters, digits, '-', '_' or '.'")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} already exists and is not empty; choose another name")


def write_project(folder: Path, language: str, flavour: Flavour) -> list[Path]:
    values = {"name": folder.name, "schema": flavour.schema_file, "author_key": flavour.author_key}
    plan = {**COMMON_FILES, f"{language}/{flavour.schema_file}.tmpl": flavour.schema_file}
    written = []
    for template, target in plan.items():
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(_template(template).read_text("utf-8")).substitute(values), "utf-8")
        written.append(path)
    return written


def _template(relative: str) -> Traversable:
    return files("fastbackend.templates").joinpath("init", *relative.split("/"))
