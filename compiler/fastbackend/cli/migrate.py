"""fastbackend migrate: Alembic revisions from the difference between the IR and the database."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fastbackend.cli.check import display
from fastbackend.cli.exit_codes import ExitCode, handle_errors
from fastbackend.cli.options import json_option, source_and_quiet
from fastbackend.cli.project import Printer, compile_ir, echo_lines, runtime, runtime_failures
from fastbackend.runtimes import Revision

EPILOG = """\b
Examples:
  fastbackend migrate                          # write a revision to migrations/versions/
  fastbackend migrate --apply                  # ... and upgrade the database to it
  fastbackend migrate -m "add tag slug" --sql  # ... and print the SQL instead of running it
  fastbackend migrate --apply --allow-destructive
  DATABASE_URL=postgresql://user@host/db fastbackend migrate --apply
Exit codes: 0 ok, 1 destructive steps refused or a database error, 2 usage error,
3 the models do not compile.
"""


@click.command("migrate", epilog=EPILOG,
               short_help="Write (and apply) a migration: the IR vs the database.")
@source_and_quiet
@click.option("-m", "--message", default=None, help="Revision message (default: a summary).")
@click.option("--sql", "show_sql", is_flag=True,
              help="Print the SQL of the revisions the database has not had (offline; runs nothing).")
@click.option("--apply", "apply", is_flag=True, help="Upgrade the database to the newest revision.")
@click.option("--allow-destructive", is_flag=True,
              help="Write revisions that drop tables or columns or narrow a column's type.")
@click.option("--directory", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The migrations folder. Default: migrations/ beside the project.")
@click.option("--database-url", default=None, metavar="URL",
              help="Database to compare with (default: DATABASE_URL, else .fastbackend/app.db).")
@json_option
@handle_errors
def migrate_command(source: Path | None, quiet: bool, message: str | None, show_sql: bool,
                    apply: bool, allow_destructive: bool, directory: Path | None,
                    database_url: str | None, as_json: bool) -> None:
    """Compile SOURCE, compare its IR with the database, and write an Alembic revision for the
    difference to migrations/versions/ beside the project (migrations/ is created on first use).

    Destructive steps (a dropped table or column, a narrowed type such as a shorter VARCHAR)
    are listed and refused unless --allow-destructive. SQLite runs in batch mode. A database
    that is behind migrations/ is upgraded first with --apply; without it, the revision is
    computed against the newest revision's schema (on SQLite; PostgreSQL asks for --apply).
    """
    printer = Printer(quiet, as_json)
    compiled = compile_ir(source, quiet or as_json)
    found = runtime()
    with runtime_failures(found):
        folder = directory or compiled.root / "migrations"
        migrations = found.migrations(folder, compiled.ir_path, database_url)
        if migrations.scaffold():
            printer.step(f"created {display(folder)}/ (env.py, versions/)")
        applied = migrations.apply() if apply and migrations.pending() else []
        revision = migrations.generate(message, allow_destructive)
        _report_revision(printer, revision, allow_destructive)
        if revision.destructive and not allow_destructive:
            printer.result(_payload(revision, applied, refused=True))
            sys.exit(ExitCode.FINDINGS)
        sql = migrations.sql() if show_sql else None
        if sql is not None and not as_json:
            click.echo(sql, nl=False)
        if apply:
            applied += migrations.apply()
            printer.done(f"applied {', '.join(applied)}" if applied else "the database is up to date")
        printer.result(_payload(revision, applied, refused=False, sql=sql))


def _report_revision(printer: Printer, revision: Revision, allow_destructive: bool) -> None:
    if not revision.operations:
        printer.done("the database matches the IR; no revision written")
        return
    if revision.destructive and not allow_destructive:
        click.echo("refused: these steps would lose data:", err=True)
        echo_lines([click.style(step, fg="red") for step in revision.destructive], err=True)
        click.echo("no revision was written; rerun with --allow-destructive to write it "
                   "anyway.", err=True)
        return
    assert revision.path is not None
    printer.done(f"wrote {display(revision.path)}")
    if not printer.quiet:
        echo_lines(revision.operations)


def _payload(revision: Revision, applied: list[str], refused: bool,
             sql: str | None = None) -> dict[str, object]:
    return {
        "revision": str(revision.path) if revision.path else None,
        "operations": list(revision.operations),
        "destructive": list(revision.destructive),
        "refused": refused,
        "applied": applied,
        "sql": sql,
    }
