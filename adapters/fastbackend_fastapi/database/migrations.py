"""Alembic migrations whose target is the IR: autogenerate, offline SQL, upgrade.

The CLI (`fastbackend migrate`) reaches this module through the `fastbackend.runtime` entry
point. A project's migrations/ folder holds a two-line env.py that calls ``run_environment``
(through fastbackend_fastapi.migrations, the path those files name), so plain ``alembic``
commands work on it too. A database that cannot ALTER most things in place (SQLite) runs in
Alembic's batch mode (Dialect.alter_in_batches).
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from alembic import command
from alembic import util as alembic_util
from alembic.autogenerate import renderers
from alembic.autogenerate.api import AutogenContext
from alembic.autogenerate.render import render_op
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.operations import ops
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import sort_tables_and_constraints

from fastbackend_fastapi.database import dialects, search_indexes, search_revisions
from fastbackend_fastapi.database.revisions import RevisionRefused, fill_new_columns, render_item
from fastbackend_fastapi.narrowing import destructive_steps
from fastbackend_fastapi.settings import from_environment
from fastbackend_fastapi.tables import Catalog, build_catalog
from fastbackend_ir import IR, load

IR_OPTION = "fastbackend_ir"
URL_OPTION = "sqlalchemy.url"
# Config.attributes key: the target tables, handed from `Migrations` to env.py in process, so
# one `migrate` decodes the IR and builds its tables once, not once per Alembic command.
METADATA_ATTRIBUTE = "fastbackend_metadata"

ENV_PY = '''"""Alembic environment written by `fastbackend migrate`: the target schema is the IR."""

from fastbackend_fastapi.migrations import run_environment

run_environment()
'''

SCRIPT_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

Written by `fastbackend migrate` from the difference between the IR and the database.
"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}
# The database this revision was computed on; `fastbackend migrate` names it if the revision
# fails on another one.
written_against = ${repr(context.get("written_against"))}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


class MigrationError(Exception):
    """A migration cannot be made or applied; the message says why and what to do."""


@dataclass(frozen=True)
class Revision:
    """What one ``generate`` found: the operations, the destructive ones, the file written."""

    operations: tuple[str, ...]
    destructive: tuple[str, ...]
    path: Path | None  # None: nothing to write, or refused because destructive


def target_metadata(ir_path: Path) -> sa.MetaData:
    """The IR's tables, without views (the database defines those, not the migrations)."""
    return target_catalog(load(ir_path)).metadata


def target_catalog(ir: IR) -> Catalog:
    """The IR's catalog, its metadata without views and with cycles deferred (see above)."""
    catalog = build_catalog(ir)
    metadata = catalog.metadata
    for entity in ir.entities.values():
        if entity.kind == "view":
            metadata.remove(metadata.tables[_key(entity.table, entity.schema)])
    _defer_cycles(metadata)
    return catalog


def _defer_cycles(metadata: sa.MetaData) -> None:
    """Mark the foreign keys that close a cycle between tables ``use_alter``: no order of
    CREATE TABLE can hold them inline (Alembic #326). SQLAlchemy's own sort says which ones;
    ``create_table`` then leaves them out where the database can ALTER a constraint in, and
    ``AfterTables`` adds them once every table exists."""
    tables = list(metadata.tables.values())
    for table, constraints in sort_tables_and_constraints(  # type: ignore[no-untyped-call]
            tables, filter_fn=_self_reference):
        if table is None:
            for constraint in constraints:
                constraint.use_alter = True


def _self_reference(constraint: sa.ForeignKeyConstraint) -> bool | None:
    """False (always inline) for a key to its own table: no cycle between tables."""
    return False if constraint.referred_table is constraint.table else None


class AfterTables(ops.MigrateOperation):
    """Foreign keys a revision adds after its tables (or drops before them, on the way down).

    A revision must apply to any database, whichever it was written on. PostgreSQL creates a
    ``use_alter`` key by ALTER TABLE only; SQLite cannot ALTER one in, so its CREATE TABLE keeps
    it inline (SQLAlchemy's rule for ``use_alter``, as ``create_all`` does) and these steps
    are skipped there: the revision says so with ``dialect.supports_alter``."""

    def __init__(self, steps: list[ops.MigrateOperation]) -> None:
        self.steps = steps


@renderers.dispatch_for(AfterTables)
def _render_after_tables(context: AutogenContext, operation: AfterTables) -> list[str]:
    lines = ["# Foreign keys that close a cycle between tables: inline where the database "
             "cannot ALTER", "# them in (SQLite), added after the tables elsewhere.",
             "if op.get_context().dialect.supports_alter:"]
    for step in operation.steps:
        lines.extend(render_op(context, step))
    return [*lines, ""]


def _after_tables(upgrade: ops.UpgradeOps, downgrade: ops.DowngradeOps,
                  metadata: sa.MetaData) -> None:
    """Add the cycle-closing keys of the tables the revision creates after all of them, and
    drop them first on the way down (a table in a cycle cannot be dropped while keyed).
    The keys are read from the target ``metadata`` the tables were created from
    (``CreateTableOp.to_table`` builds a copy of the table, a tenth of a second per revision
    of fifty tables)."""
    keys = [constraint for operation in _leaves(upgrade)
            if isinstance(operation, ops.CreateTableOp)
            for constraint in metadata.tables[
                _key(operation.table_name, operation.schema)].foreign_key_constraints
            if constraint.use_alter]
    if not keys:
        return
    upgrade.ops.append(AfterTables([ops.CreateForeignKeyOp.from_constraint(key) for key in keys]))
    downgrade.ops.insert(0, AfterTables(
        [ops.DropConstraintOp.from_constraint(key) for key in reversed(keys)]))


def _key(table: str, schema: str | None) -> str:
    return f"{schema}.{table}" if schema else table


def database_url(ir_path: Path, explicit: str | None = None) -> str:
    """The URL the runtime would use: explicit, else DATABASE_URL, else SQLite beside the IR."""
    settings = from_environment().with_database_url(explicit)
    return settings.resolved_database_url(ir_path.parent)


class Head:
    """The head of a migrations/ folder, read once: the one place that decides whether a
    database is at it (`fastbackend migrate`, and /readyz per request on the runtime's own
    connection, operations/health.py)."""

    def __init__(self, folder: Path) -> None:
        self.script = ScriptDirectory(str(folder))
        self.heads = tuple(sorted(self.script.get_heads()))

    def pending(self, current: tuple[str, ...]) -> list[str]:
        """Revisions a database at ``current`` has not had, oldest first ([]: at head). A
        database at a revision the folder does not know is not at head: the heads, then."""
        if not self.heads or set(current) == set(self.heads):
            return []
        lower = current[0] if current else "base"
        try:
            revisions = list(self.script.iterate_revisions(self.heads[0], lower))
        except alembic_util.CommandError:
            return list(self.heads)
        return [revision.revision for revision in reversed(revisions)
                if revision.revision not in current]

    def pending_on(self, connection: sa.Connection) -> list[str]:
        return self.pending(current_heads(connection))


def current_heads(connection: sa.Connection) -> tuple[str, ...]:
    """The revisions the database records (Alembic's version table), none when it has none."""
    return tuple(MigrationContext.configure(connection).get_current_heads())


class Migrations:
    """One project's migrations/ folder against one database."""

    def __init__(self, folder: Path, ir_path: Path, url: str | None = None,
                 ir: IR | None = None) -> None:
        """``ir``: the IR at ``ir_path``, when the caller holds it already (`fastbackend
        migrate` has just compiled it); else it is read from ``ir_path`` when first needed."""
        self.folder = folder
        self.ir_path = ir_path
        self.url = database_url(ir_path, url)
        self._ir = ir

    @cached_property
    def ir(self) -> IR:
        return self._ir if self._ir is not None else load(self.ir_path)

    @cached_property
    def catalog(self) -> Catalog:
        """The target tables, built once for every Alembic command this object runs."""
        return target_catalog(self.ir)

    def scaffold(self) -> bool:
        """Write env.py, script.py.mako and versions/ when absent; True when it wrote any."""
        wrote = False
        for name, text in (("env.py", ENV_PY), ("script.py.mako", SCRIPT_MAKO)):
            path = self.folder / name
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, "utf-8")
                wrote = True
        (self.folder / "versions").mkdir(parents=True, exist_ok=True)
        return wrote

    def config(self, buffer: io.StringIO | None = None, url: str | None = None) -> Config:
        # quiet: the CLI reports what happened in its own words
        config = Config(output_buffer=buffer, stdout=io.StringIO(),
                        cmd_opts=argparse.Namespace(quiet=True))
        config.set_main_option("script_location", str(self.folder))
        config.set_main_option(IR_OPTION, str(self.ir_path))
        config.set_main_option(URL_OPTION, (url or self.url).replace("%", "%%"))
        config.attributes[METADATA_ATTRIBUTE] = self.catalog.metadata
        return config

    def current(self) -> tuple[str, ...]:
        engine = sa.create_engine(self.url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                return current_heads(connection)
        except sa.exc.OperationalError as error:
            raise MigrationError(f"cannot reach the database: {error.orig}") from None
        finally:
            engine.dispose()

    def pending(self) -> list[str]:
        """Revisions in migrations/ that the database has not had, oldest first."""
        return Head(self.folder).pending(self.current())

    def generate(self, message: str | None, allow_destructive: bool) -> Revision:
        """Autogenerate a revision from the difference between the IR and the database, or,
        when the database is behind migrations/, the schema of the newest revision."""
        pending = self.pending()
        if not pending:
            return self._generate(self.url, message, allow_destructive)
        with tempfile.TemporaryDirectory(prefix="fastbackend-migrate-") as scratch:
            # The previous revision's schema: a scratch database upgraded to it, where the
            # database is one a folder can hold (SQLite).
            url = dialects.for_url(self.url).scratch_url(scratch)
            if url is None:
                raise MigrationError(f"the database is behind migrations/ (pending: "
                                     f"{', '.join(pending)}); apply them first with "
                                     "`fastbackend migrate --apply`")
            command.upgrade(self.config(url=url), "head")
            return self._generate(url, message, allow_destructive)

    def _generate(self, url: str, message: str | None, allow_destructive: bool) -> Revision:
        found: dict[str, Any] = {}
        ir, catalog = self.ir, self.catalog

        def inspect(context: MigrationContext, revision: Any, directives: list[Any]) -> None:
            script = directives[0]
            for create, drop in search_revisions.missing(context, catalog.metadata):
                script.upgrade_ops.ops.append(create)
                script.downgrade_ops.ops.insert(0, drop)
            found["operations"] = tuple(describe(op) for op in _leaves(script.upgrade_ops))
            found["destructive"] = tuple(destructive_steps(_leaves(script.upgrade_ops)))
            if not found["operations"] or (found["destructive"] and not allow_destructive):
                directives[:] = []  # nothing to write, or refused
                return
            fill_new_columns(_leaves(script.upgrade_ops), ir, catalog)
            _after_tables(script.upgrade_ops, script.downgrade_ops, catalog.metadata)
            script.upgrade_ops.ops[:0] = _create_schemas(context, script.upgrade_ops)
            script.message = message or summary(found["operations"])

        try:
            written = command.revision(self.config(url=url), message=message, autogenerate=True,
                                       process_revision_directives=inspect)
        except RevisionRefused as refused:
            raise MigrationError(str(refused)) from None
        path = Path(written.path) if written is not None and not isinstance(written, list) else None
        return Revision(found.get("operations", ()), found.get("destructive", ()), path)

    def sql(self) -> str:
        """The SQL that ``apply`` would run, without running it (Alembic's offline mode)."""
        current = self.current()
        start = current[0] if current else "base"
        buffer = io.StringIO()
        command.upgrade(self.config(buffer), f"{start}:head", sql=True)
        return buffer.getvalue()

    def apply(self) -> list[str]:
        """Upgrade the database to the newest revision, one revision (one transaction where
        the database has transactional DDL) at a time; returns the revisions applied. A
        revision that fails raises MigrationError naming it, and the database it was written
        against when that is another one."""
        applied = []
        for revision in self.pending():
            try:
                command.upgrade(self.config(), revision)
            except Exception as error:  # a revision is Python anyone may have edited
                raise self._failure(revision, error) from None
            applied.append(revision)
        return applied

    def _failure(self, revision: str, error: Exception) -> MigrationError:
        script = ScriptDirectory.from_config(self.config()).get_revision(revision)
        assert script is not None
        reason: object = error.orig if isinstance(error, sa.exc.DBAPIError) else error
        if not isinstance(error, sa.exc.SQLAlchemyError | alembic_util.CommandError):
            reason = f"{type(error).__name__}: {error}"
        database = sa.make_url(self.url).get_backend_name()
        written_against = getattr(script.module, "written_against", None)
        where = ""
        if written_against and written_against != database:
            where = (f" It was written against {written_against}; raw SQL in it (server "
                     f"defaults written as text in the models) may not run on {database}: "
                     "make those defaults portable, or edit the revision.")
        return MigrationError(f"revision {revision} ({Path(script.path).name}) failed on "
                              f"{database}: {str(reason).strip()}.{where}")


def _create_schemas(context: MigrationContext, upgrade: ops.UpgradeOps) -> list[ops.ExecuteSQLOp]:
    """CREATE SCHEMA for the database schemas that new tables need and the database lacks
    (autogenerate creates tables, never schemas); some databases have none (SQLite)."""
    if context.bind is None or not dialects.of(context.dialect).has_schemas:
        return []
    wanted = {op.schema for op in _leaves(upgrade) if isinstance(op, ops.CreateTableOp) and op.schema}
    missing = sorted(wanted - set(sa.inspect(context.bind).get_schema_names()))
    return [ops.ExecuteSQLOp(f'CREATE SCHEMA IF NOT EXISTS "{schema}"') for schema in missing]


def summary(operations: tuple[str, ...]) -> str:
    """A default revision message: the first step, and how many others."""
    more = len(operations) - 1
    return operations[0] + (f" and {more} more" if more else "")


def _leaves(container: ops.OpContainer) -> Iterator[ops.MigrateOperation]:
    """Every operation, with the ones grouped per table (ModifyTableOps) flattened."""
    for operation in container.ops:
        if isinstance(operation, ops.OpContainer):
            yield from _leaves(operation)
        else:
            yield operation


def describe(operation: ops.MigrateOperation) -> str:
    """One line a person reads: "add column users.nickname"."""
    verb, table, detail = _parts(operation)
    return " ".join(part for part in (verb, f"{table}{detail}") if part)


def _parts(operation: ops.MigrateOperation) -> tuple[str, str, str]:
    table = getattr(operation, "table_name", "") or ""
    schema = getattr(operation, "schema", None)
    table = f"{schema}.{table}" if schema else table
    if isinstance(operation, (ops.AddColumnOp, ops.DropColumnOp)):
        column = operation.column.name if isinstance(operation, ops.AddColumnOp) \
            else operation.column_name
        verb = "add column" if isinstance(operation, ops.AddColumnOp) else "drop column"
        return verb, table, f".{column}"
    if isinstance(operation, ops.AlterColumnOp):
        return "alter column", table, f".{operation.column_name}"
    if isinstance(operation, (ops.CreateIndexOp, ops.DropIndexOp)):
        verb = "create index" if isinstance(operation, ops.CreateIndexOp) else "drop index"
        return verb, f"{operation.index_name} on", f" {table}"
    words = type(operation).__name__.removesuffix("Op")
    verb = "".join(f" {c.lower()}" if c.isupper() else c for c in words).strip()
    return verb, table, ""


def run_environment() -> None:
    """The body of migrations/env.py (called by Alembic with its ``context`` set up)."""
    from alembic import context

    config = context.config
    ir_path = Path(config.get_main_option(IR_OPTION) or os.environ.get(
        "FASTBACKEND_IR", os.path.join(".fastbackend", "ir.json")))
    url = config.get_main_option(URL_OPTION) or database_url(ir_path)
    given = config.attributes.get(METADATA_ATTRIBUTE)  # from `Migrations`; plain alembic: none
    metadata = given if isinstance(given, sa.MetaData) else target_metadata(ir_path)
    # alembic.context is a module that proxies the EnvironmentContext Alembic set up
    environment = cast(EnvironmentContext, context)
    if environment.is_offline_mode():
        _offline(environment, url, metadata)
    else:
        _online(environment, url, metadata)


def _options(url: str, metadata: sa.MetaData) -> dict[str, Any]:
    dialect = dialects.for_url(url)
    return {"target_metadata": metadata, "render_as_batch": dialect.alter_in_batches,
            "compare_type": True, "render_item": render_item,
            "include_name": search_indexes.include_name(metadata),
            "include_schemas": any(table.schema for table in metadata.tables.values()),
            "template_args": {"written_against": sa.make_url(url).get_backend_name()}}


def _offline(context: EnvironmentContext, url: str, metadata: sa.MetaData) -> None:
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"},
                      **_options(url, metadata))
    with context.begin_transaction():
        context.run_migrations()


def _online(context: EnvironmentContext, url: str, metadata: sa.MetaData) -> None:
    engine = dialects.for_url(url).migration_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, transactional_ddl=True,
                              **_options(url, metadata))
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()



def pending_revisions(folder: Path, ir_path: Path, url: str | None = None) -> list[str]:
    """The revisions of a project's migrations/ ``folder`` that the database has not had,
    oldest first ([]: at head, or no migrations/ at all). For a readiness check: raises
    MigrationError when the database cannot be reached."""
    if not (folder / "env.py").is_file():
        return []
    return Migrations(folder, ir_path, url).pending()
