"""fastbackend migrate: Alembic revisions from the difference between the IR and the database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from fastbackend.cli.check import display
from fastbackend.cli.exit_codes import ExitCode, handle_errors
from fastbackend.cli.options import json_option, source_and_quiet
from fastbackend.cli.project import Compiled, Printer, compile_ir, echo_lines, runtime
from fastbackend.gc_pause import paused_gc
from fastbackend.runtimes import Migrations, Revision

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
    # A short command whose objects (the IR, its tables, Alembic's operations) live until it
    # ends: the collector would rescan them for nothing (a tenth of its CPU on documenso).
    with paused_gc():
        _migrate(source, quiet, message, show_sql, apply, allow_destructive, directory,
                 database_url, as_json)


def _migrate(source: Path | None, quiet: bool, message: str | None, show_sql: bool,
             apply: bool, allow_destructive: bool, directory: Path | None,
             database_url: str | None, as_json: bool) -> None:
    printer = Printer(quiet, as_json)
    compiled = compile_ir(source, quiet or as_json, reuse=True)
    found = runtime()
    run = MigrateRun(printer, message, allow_destructive)
    try:
        folder = directory or compiled.root / "migrations"
        migrations = found.migrations(folder, compiled.ir_path, database_url, compiled.result.ir)
        run.warnings += provider_warnings(compiled, migrations.url)
        for warning in run.warnings:
            printer.warn(warning)
        if migrations.scaffold():
            printer.step(f"created {display(folder)}/ (env.py, versions/)")
        run.migrate(migrations, apply, show_sql)
    except found.errors as error:
        run.fail(error)
    if run.refused:
        sys.exit(ExitCode.FINDINGS)


class MigrateRun:
    """One `migrate`: what it applied and wrote, reported as text or one JSON object."""

    def __init__(self, printer: Printer, message: str | None, allow_destructive: bool) -> None:
        self.printer = printer
        self.message = message
        self.allow_destructive = allow_destructive
        self.applied: list[str] = []
        self.revision: Revision | None = None
        self.warnings: list[str] = []
        self.refused = False
        self.removed: Path | None = None  # the revision written, then removed as it failed

    def migrate(self, migrations: Migrations, apply: bool, show_sql: bool) -> None:
        pending = migrations.pending()
        if apply and pending:  # the database catches up first: the revision is computed on it
            self._apply(migrations)
            pending = []
        self.revision = migrations.generate(self.message, self.allow_destructive)
        self._report_revision(self.revision, pending)
        if self.revision.destructive and not self.allow_destructive:
            self.refused = True
            self._result()
            return
        sql = migrations.sql() if show_sql else None
        if sql is not None and not self.printer.as_json:
            click.echo(sql, nl=False)
        if apply and self.revision.path is not None:
            self._apply(migrations, written=self.revision.path)
        self._result(sql)

    def _apply(self, migrations: Migrations, written: Path | None = None) -> None:
        try:
            applied = migrations.apply()
        except Exception:
            if written is not None:  # never left in versions/ for the next --apply to replay
                written.unlink(missing_ok=True)
                self.removed, self.revision = written, None
            raise
        self.applied += applied
        self.printer.done(f"applied {', '.join(applied)}")

    def _report_revision(self, revision: Revision, pending: list[str]) -> None:
        printer = self.printer
        if not revision.operations and pending:
            printer.done("migrations/ already reaches the IR; no revision written (not applied "
                         f"yet: {', '.join(pending)}; run `fastbackend migrate --apply`)")
            return
        if not revision.operations:
            printer.done("the database matches the IR; no revision written")
            return
        if revision.destructive and not self.allow_destructive:
            click.echo("refused: these steps would lose data:", err=True)
            echo_lines([click.style(step, fg="red") for step in revision.destructive], err=True)
            click.echo("no revision was written; rerun with --allow-destructive to write it "
                       "anyway.", err=True)
            return
        assert revision.path is not None
        printer.done(f"wrote {display(revision.path)}")
        if not printer.quiet:
            echo_lines(revision.operations)

    def fail(self, error: Exception) -> NoReturn:
        """A database or migration failure: a message (a JSON problem with --json), exit 1."""
        detail = str(error)
        if self.removed is not None:
            detail += (f" {display(self.removed)} was removed (nothing of it was applied): fix "
                       "the cause, then run migrate again.")
        if self.printer.as_json:
            self._result(error=detail)
        else:
            click.echo(f"error: {detail}", err=True)
        sys.exit(ExitCode.FINDINGS)

    def _result(self, sql: str | None = None, error: str | None = None) -> None:
        revision = self.revision
        payload: dict[str, object] = {
            "revision": str(revision.path) if revision and revision.path else None,
            "operations": list(revision.operations) if revision else [],
            "destructive": list(revision.destructive) if revision else [],
            "refused": self.refused,
            "applied": self.applied,
            "sql": sql,
            "warnings": self.warnings,
        }
        if error is not None:
            payload["error"] = {"title": "migration failed", "detail": error}
        self.printer.result(payload)


def provider_warnings(compiled: Compiled, url: str) -> list[str]:
    """A Prisma schema (or a project's fastbackend.yaml, `database.provider`) says which database
    it is written for; migrating it into another one works for FastBackend, but Prisma's own
    tools and the Express target read the provider.
    The development SQLite file (the default database) is not worth a warning: a schema for
    PostgreSQL is developed on it."""
    provider = compiled.result.ir.database.provider if compiled.result.ir.database else None
    backend = url.split(":", 1)[0].split("+", 1)[0]
    backend = "postgresql" if backend == "postgres" else backend
    if provider is None or provider == backend or backend not in DATABASES - {"sqlite"}:
        return []
    if compiled.sources.language == "prisma":
        return [f"{display(compiled.sources.entry)} declares provider = \"{provider}\", but the "
                f"database is {backend}: set provider = \"{backend}\" in its datasource block so "
                "Prisma Client and the Express target expect the database you migrate"]
    return [f"fastbackend.yaml declares database.provider {provider}, but the database is "
            f"{backend}: set database.provider: {backend} so the Express target expects the "
            "database you migrate"]


DATABASES = frozenset({"sqlite", "postgresql", "mysql", "sqlserver", "cockroachdb"})
