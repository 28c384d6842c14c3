"""Per-entity SQL, built once at startup; every function takes an open Connection.

Statements are SQLAlchemy Core objects created here once, so SQLAlchemy's compiled cache serves
every request after the first; rows come back with columns labelled by field name.

Row scope (scope.py): a scoped entity's statements carry its scope conditions from the start, and
every call binds the request's values (``scope_parameters``); a statement built elsewhere on a
scoped entity must add ``scope_conditions`` and bind ``scope_parameters()`` the same way.

Soft delete (IR 1.6): ``scope_conditions`` also leave out the rows the entity's stamp field
marks deleted (scope.live), and ``delete_one`` / ``removal`` stamp the row instead of deleting
it (bound ``removal_parameters()``); ``restore_one`` clears the stamp of a deleted row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from fastbackend_fastapi import scope
from fastbackend_fastapi.database import dialects, direct
from fastbackend_fastapi.tables import EntityTable

# What an upsert did: inserted the row, updated the one there, left it as it was, or met a row
# the caller may not change (out of its scope, or soft-deleted).
Outcome = Literal["created", "merged", "ignored", "hidden"]


@dataclass(frozen=True)
class EntityStore:
    """The statements of one entity; ``columns`` are every field, labelled by field name."""

    entity_table: EntityTable
    key_fields: tuple[str, ...]
    columns: tuple[sa.Label[Any], ...]
    key_condition: sa.ColumnElement[bool]
    select_one: sa.Select[Any]
    select_one_for_update: sa.Select[Any]
    insert: sa.Insert
    update_one: sa.Update
    delete_one: sa.Delete | sa.Update  # an UPDATE setting the stamp, on a soft-deleting entity
    # Without RETURNING (MySQL; MariaDB's UPDATE): write, then read the row back by its key.
    insert_only: sa.Insert
    update_only: sa.Update
    scope_fields: tuple[str, ...] = ()  # filtered on every statement (row scope)
    fill_fields: tuple[str, ...] = ()  # set by the server on create (scope and fill fields)
    references: tuple[scope.ReferenceCheck, ...] = ()  # foreign keys into scoped entities
    restore_one: sa.Update | None = None  # soft delete: clears the stamp of a deleted row
    # select_one, run through the driver where it can (database/direct.py): a read's answer
    read_one: direct.DirectStatement | None = None
    _inserts: dict[dialects.Dialect, sa.Insert | None] = field(default_factory=dict)
    _targets: dict[tuple[Any, ...], Any] = field(default_factory=dict)  # upsert statements

    @property
    def entity_name(self) -> str:
        return self.entity_table.entity.name

    @property
    def scope_conditions(self) -> list[sa.ColumnElement[bool]]:
        """Row scope and, on a soft-deleting entity, `<stamp> IS NULL`: every read's filter."""
        return [*scope.conditions(self.entity_table.columns, self.scope_fields),
                *scope.live(self.table.metadata, self.entity_name, self.table)]

    def list_conditions(self, deleted: str | None = None,
                        table: sa.FromClause | None = None) -> list[sa.ColumnElement[bool]]:
        """A list's filter: ``scope_conditions``, or with `deleted=only|include` on a
        soft-deleting entity the row scope with the stamped rows only, or beside the live ones.
        On ``table`` when given: a table with the entity's fields as its column keys (the
        realtime feed's image table, events/images.py)."""
        if table is None:
            if deleted is None or self.soft_delete is None:
                return self.scope_conditions
            columns: Mapping[str, Any] = self.entity_table.columns
        else:
            columns = {column.key: column for column in table.c}
            if deleted is None or self.soft_delete is None:
                return [*scope.conditions(columns, self.scope_fields),
                        *scope.live(self.table.metadata, self.entity_name, table)]
        scoped = scope.conditions(columns, self.scope_fields)
        if deleted == "include":
            return scoped
        return [*scoped, columns[self.soft_delete].is_not(None)]

    @property
    def soft_delete(self) -> str | None:
        return self.entity_table.entity.soft_delete

    def removal(self, *conditions: sa.ColumnElement[bool]) -> sa.Delete | sa.Update:
        """DELETE ... WHERE conditions, or on a soft-deleting entity the UPDATE that stamps the
        rows (bound by ``removal_parameters``)."""
        return _removal(self.entity_table, sa.and_(*conditions))

    def removal_parameters(self) -> dict[str, Any]:
        """The stamp's value: now, in UTC (naive for a column without a time zone)."""
        if self.soft_delete is None:
            return {}
        column = self.entity_table.columns[self.soft_delete]
        now = datetime.now(UTC)
        aware = isinstance(column.type, sa.DateTime) and column.type.timezone
        return {scope.STAMP_PARAMETER: now if aware else now.replace(tzinfo=None)}

    def scope_parameters(self) -> dict[str, Any]:
        return scope.filter_parameters(self.entity_name, self.scope_fields)

    @property
    def table(self) -> sa.Table:
        return self.entity_table.table

    def key_params(self, key: Sequence[Any]) -> dict[str, Any]:
        parameters = {f"key_{i}": value for i, value in enumerate(key)}
        if self.scope_fields:
            parameters.update(self.scope_parameters())
        return parameters

    def get(self, connection: Connection, key: Sequence[Any], *, lock: bool = False) -> Row[Any] | None:
        statement = self.select_one_for_update if lock else self.select_one
        return connection.execute(statement, self.key_params(key)).first()

    def read(self, connection: Connection, key: Sequence[Any]) -> Sequence[Any] | None:
        """The row by its key for a read's answer: every field in declared order, by position
        (a tuple when the statement ran through the driver, else a Row)."""
        assert self.read_one is not None
        row: Sequence[Any] | None = self.read_one.first(connection, self.key_params(key))
        return row

    def _creatable(self, connection: Connection, values: Mapping[str, Any]) -> dict[str, Any]:
        """A create's values with the server's fill fields, its references into scoped
        entities verified."""
        if self.fill_fields:
            values = {**values, **scope.fill_values(self.entity_name, self.fill_fields)}
        for check in self.references:
            check.verify(connection, values)
        return dict(values)

    def create(self, connection: Connection, values: Mapping[str, Any]) -> Row[Any]:
        # Parameters name the columns: one statement object serves every combination of fields.
        values = self._creatable(connection, values)
        if connection.dialect.insert_returning:
            return connection.execute(self.insert, values).one()
        result = connection.execute(self.insert_only, values)
        key = self._primary_key_condition(tuple(result.inserted_primary_key or ()))
        return connection.execute(sa.select(*self.columns).where(key)).one()

    def update(self, connection: Connection, key: Sequence[Any],
               values: Mapping[str, Any]) -> Row[Any] | None:
        if not values:
            return self.get(connection, key)
        for check in self.references:
            check.verify(connection, values)
        parameters = {**values, **self.key_params(key)}
        if connection.dialect.update_returning:
            return connection.execute(self.update_one, parameters).first()
        if connection.execute(self.update_only, parameters).rowcount == 0:
            return None  # (rowcount counts the rows matched: SQLAlchemy's FOUND_ROWS flag)
        # the row by its key as the update left it (a key field may be among the values)
        return self.get(connection, [values.get(name, value)
                                     for name, value in zip(self.key_fields, key, strict=True)])

    def _primary_key_condition(self, values: Sequence[Any]) -> sa.ColumnElement[bool]:
        columns = self.table.primary_key.columns
        return sa.and_(*(column == value for column, value in zip(columns, values, strict=True)))

    def create_or_nothing(self, connection: Connection, values: Mapping[str, Any]) -> Row[Any] | None:
        """Inserts the row unless its key exists (then None): `create` by ON CONFLICT DO
        NOTHING on the key, a statement built once per dialect (where the database has one)."""
        dialect = dialects.of(connection.dialect)
        if dialect not in self._inserts:
            key = [self.entity_table.columns[name] for name in self.key_fields]
            insert = dialect.insert_or_nothing(self.table, key)
            self._inserts[dialect] = None if insert is None else insert.returning(*self.columns)
        statement = self._inserts[dialect]
        if statement is None:
            return self._create_unless_the_key_exists(connection, values)
        return connection.execute(statement, self._creatable(connection, values)).first()

    def _create_unless_the_key_exists(self, connection: Connection,
                                      values: Mapping[str, Any]) -> Row[Any] | None:
        """The insert in a savepoint; refused because the key's row exists (committed by another
        request meanwhile: the insert waited for it), None; any other refusal is raised."""
        try:
            with connection.begin_nested():
                return self.create(connection, values)
        except sa.exc.IntegrityError:
            if self.get(connection, [values[name] for name in self.key_fields]) is None:
                raise
            return None

    def upsert(self, connection: Connection, values: Mapping[str, Any], target: tuple[str, ...],
               merge: bool) -> tuple[Row[Any] | None, Outcome]:
        """Insert the row unless a row holds ``target``'s values (one INSERT ... ON CONFLICT
        (target) DO NOTHING, or on MySQL an insert in a savepoint); then, with ``merge``, update
        that row with ``values`` (the target's and the key's fields left as they are), else read
        it. Only a row the caller could update is touched: in the row scope and live (not
        soft-deleted); any other answers (None, "hidden"), which the route turns into the 409
        a create would answer. Concurrent upserts of one new target: the database makes every
        insert but one wait for the first's commit and yield, so exactly one creates."""
        values = self._creatable(connection, values)
        created = self._insert_unless(connection, values, target)
        if created is not None:
            return created, "created"
        if any(name not in values for name in target):
            return None, "hidden"  # a generated value met a row: nothing of this request's
        match = {f"target_{i}": values[name] for i, name in enumerate(target)}
        match.update(self.scope_parameters())
        changes = {name: value for name, value in values.items()
                   if name not in target and name not in self.key_fields
                   and name not in self.fill_fields}
        if not merge or not changes:
            row = connection.execute(self._target_statement("select", target), match).first()
            return row, "ignored" if row is not None else "hidden"
        for check in self.references:
            check.verify(connection, changes)
        parameters = {**changes, **match}
        if connection.dialect.update_returning:
            row = connection.execute(self._target_statement("update", target), parameters).first()
        elif connection.execute(self._target_statement("update_only", target),
                                parameters).rowcount == 0:
            row = None
        else:
            row = connection.execute(self._target_statement("select", target), match).first()
        return row, "merged" if row is not None else "hidden"

    def _target_statement(self, kind: str, target: tuple[str, ...]) -> Any:
        """SELECT / UPDATE of the live row in scope whose ``target`` fields are the bound
        `target_<i>` values; built once per target."""
        cached = self._targets.get((kind, target))
        if cached is not None:
            return cached
        columns = self.entity_table.columns
        condition = sa.and_(*(columns[name] == sa.bindparam(f"target_{i}")
                              for i, name in enumerate(target)), *self.scope_conditions)
        statement: Any
        if kind == "select":
            statement = sa.select(*self.columns).where(condition)
        elif kind == "update":
            statement = sa.update(self.table).where(condition).returning(*self.columns)
        elif kind == "update_only":
            statement = sa.update(self.table).where(condition)
        else:  # "any": the row whatever its scope or stamp (did the target conflict?)
            statement = sa.select(sa.literal(1)).where(sa.and_(*(
                columns[name] == sa.bindparam(f"target_{i}") for i, name in enumerate(target))))
        self._targets[(kind, target)] = statement
        return statement

    def _insert_unless(self, connection: Connection, values: dict[str, Any],
                       target: tuple[str, ...]) -> Row[Any] | None:
        """The row inserted, or None when a row holds ``target``'s values (the Dialect's
        insert_or_nothing on the target's columns; where the database has none, an insert in
        a savepoint whose refusal is read as that conflict when such a row exists)."""
        dialect = dialects.of(connection.dialect)
        if (dialect, target) not in self._targets:
            columns = [self.entity_table.columns[name] for name in target]
            insert = dialect.insert_or_nothing(self.table, columns)
            self._targets[(dialect, target)] = (None if insert is None
                                                else insert.returning(*self.columns))
        statement = self._targets[(dialect, target)]
        if statement is not None:
            return connection.execute(statement, values).first()
        try:
            with connection.begin_nested():
                return self.create(connection, values)
        except sa.exc.IntegrityError:
            if any(name not in values for name in target):
                raise
            match = {f"target_{i}": values[name] for i, name in enumerate(target)}
            if connection.execute(self._target_statement("any", target), match).first() is None:
                raise
            return None

    def delete(self, connection: Connection, key: Sequence[Any]) -> bool:
        parameters = {**self.key_params(key), **self.removal_parameters()}
        return connection.execute(self.delete_one, parameters).rowcount > 0

    def restore(self, connection: Connection, key: Sequence[Any]) -> Row[Any] | None:
        """Clears a soft-deleted row's stamp; None when no deleted row (in scope) has the key."""
        assert self.restore_one is not None
        if connection.execute(self.restore_one, self.key_params(key)).rowcount == 0:
            return None
        return self.get(connection, key)

    def key_of(self, row: Row[Any]) -> tuple[Any, ...]:
        mapping = row._mapping
        return tuple(mapping[name] for name in self.key_fields)


def build_store(entity_table: EntityTable, scope_fields: tuple[str, ...] = (),
                fill_fields: tuple[str, ...] = (),
                references: tuple[scope.ReferenceCheck, ...] = ()) -> EntityStore:
    entity = entity_table.entity
    table = entity_table.table
    labelled = tuple(entity_table.columns[f.name].label(f.name) for f in entity.fields)
    condition = sa.and_(*(entity_table.columns[name] == sa.bindparam(f"key_{i}")
                          for i, name in enumerate(entity.api.key)),
                        *scope.conditions(entity_table.columns, scope_fields))
    live = scope.live(table.metadata, entity.name, table)
    restore_one = None
    if entity.soft_delete is not None:  # the key and scope, and a stamp set: a deleted row
        stamp = entity_table.columns[entity.soft_delete]
        restore_one = sa.update(table).where(condition, stamp.is_not(None)).values({stamp: None})
    visible = sa.and_(condition, *live)
    select_one = sa.select(*labelled).where(visible)
    return EntityStore(
        entity_table=entity_table,
        key_fields=entity.api.key,
        columns=labelled,
        key_condition=visible,
        select_one=select_one,
        read_one=direct.DirectStatement(select_one),
        select_one_for_update=select_one.with_for_update(),
        insert=sa.insert(table).returning(*labelled),
        update_one=sa.update(table).where(visible).returning(*labelled),
        delete_one=_removal(entity_table, visible),
        insert_only=sa.insert(table),
        update_only=sa.update(table).where(visible),
        restore_one=restore_one,
        scope_fields=scope_fields,
        fill_fields=fill_fields,
        references=references,
    )


def _removal(entity_table: EntityTable, condition: sa.ColumnElement[bool]) -> sa.Delete | sa.Update:
    if entity_table.entity.soft_delete is None:
        return sa.delete(entity_table.table).where(condition)
    stamp = entity_table.columns[entity_table.entity.soft_delete]
    return sa.update(entity_table.table).where(condition).values(
        {stamp: sa.bindparam(scope.STAMP_PARAMETER, type_=stamp.type)})
