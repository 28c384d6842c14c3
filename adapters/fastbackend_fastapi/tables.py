"""IR -> SQLAlchemy MetaData: one Table per entity and join table, built only from the IR.

Column types come from a lookup table with one row per logical type. Every constraint is created
with the name the IR gives it (the compiler names them all, fastbackend_ir.names fills the gaps of
an IR 1.0), so that database errors (PostgreSQL names the violated constraint) map back to the
fields that caused them (see database/errors.py).

The tables are the same for every database: where one needs its own column type or table
option, each dialect (database/dialects/) adds it as a SQLAlchemy variant or keyword, so a
migration computed on one database applies to the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from fastbackend_contract import scalars
from fastbackend_fastapi import generators, pytypes
from fastbackend_fastapi.database import dialects, sqltypes
from fastbackend_fastapi.events.images import image_table
from fastbackend_fastapi.events.outbox import feed_gate_table, outbox_table
from fastbackend_ir import (
    IR,
    Entity,
    Field,
    GeneratorDefault,
    Index,
    JoinTable,
    LiteralDefault,
    SqlDefault,
)
from fastbackend_ir.names import named, unique_index
from fastbackend_ir.routable import shared_table_root
from fastbackend_ir.sqldefaults import application_default

SQL_ACTIONS = {"cascade": "CASCADE", "restrict": "RESTRICT", "noAction": "NO ACTION",
               "setNull": "SET NULL", "setDefault": "SET DEFAULT"}


class ServerNow(FunctionElement[Any]):
    """`now` as a column's server default: each dialect's ``server_now`` (CURRENT_TIMESTAMP,
    except where the database's own form differs from the one SQLAlchemy writes, SQLite's)."""

    type = sa.DateTime()
    inherit_cache = True


class ListDefault(FunctionElement[Any]):
    """A literal default of a list field, as each dialect writes it (Dialect.list_default):
    an array literal where lists are arrays (which reject JSON text: `DEFAULT '[]'` is a
    malformed array literal on PostgreSQL), JSON text where they are JSON.
    """

    inherit_cache = False  # the values are not part of SQLAlchemy's cache key

    def __init__(self, scalar: TypeEngine[Any], values: list[Any], json_values: list[Any]
                 ) -> None:
        super().__init__()
        self.scalar = scalar  # the element type, as the column declares it
        self.values = values  # as the database stores them (an enum's stored value)
        self.json_values = json_values  # as a JSON column keeps them (the API's)


def _compile_for(dialect: dialects.Dialect) -> None:
    """SQLAlchemy compiles our two server-default elements by asking the dialect."""
    def server_now(element: ServerNow, compiler: SQLCompiler, **kw: Any) -> str:
        return dialect.server_now

    def list_default(element: ListDefault, compiler: SQLCompiler, **kw: Any) -> str:
        return dialect.list_default(element.values, element.json_values, element.scalar,
                                    compiler)

    names = (dialect.name,) if dialect is not dialects.GENERIC else ()  # () is the default
    compiles(ServerNow, *names)(server_now)
    compiles(ListDefault, *names)(list_default)


for _dialect in (dialects.GENERIC, *dialects.DIALECTS):
    _compile_for(_dialect)


@dataclass(frozen=True)
class EntityTable:
    entity: Entity
    table: sa.Table
    columns: dict[str, sa.Column[Any]]  # by field name

    def column(self, field_name: str) -> sa.Column[Any]:
        return self.columns[field_name]


@dataclass
class Catalog:
    """The tables of one IR, with what error mapping needs to name fields."""

    metadata: sa.MetaData
    entities: dict[str, EntityTable] = field(default_factory=dict)
    join_tables: dict[str, sa.Table] = field(default_factory=dict)
    # constraint name -> (entity name, field names), for errors that name a constraint
    constraint_fields: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # (table name, column name) -> (entity name, field name), for errors that name columns
    column_fields: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    outbox: sa.Table | None = None  # the events' outbox, when the IR has events
    # the realtime entities' image tables, by entity name (IR 1.9, events/images.py)
    images: dict[str, sa.Table] = field(default_factory=dict)

    def entity_table(self, name: str) -> EntityTable:
        return self.entities[name]

    def schemas(self) -> frozenset[str]:
        """The database schemas (namespaces) the tables live in, besides the default one."""
        return frozenset(t.schema for t in self.metadata.tables.values() if t.schema)


def build_catalog(ir: IR) -> Catalog:
    ir = named(ir)
    catalog = Catalog(metadata=sa.MetaData())
    owners = [entity for entity in ir.entities.values() if shared_table_root(ir, entity) is None]
    for entity in owners:
        catalog.entities[entity.name] = _entity_table(catalog, ir, entity)
    for entity in ir.entities.values():
        root = shared_table_root(ir, entity)
        if root is not None:
            catalog.entities[entity.name] = _shared_table(catalog, entity, root)
    for entity in owners:
        _add_foreign_keys(catalog, ir, entity)
    for key, join_table in ir.join_tables.items():
        catalog.join_tables[key] = _join_table(catalog, ir, join_table)
    if ir.events is not None:  # change events' outbox (docs/events.md)
        catalog.outbox = outbox_table(catalog.metadata)
        if ir.events.realtime:  # the feed's settled ids (outbox.py)
            feed_gate_table(catalog.metadata)
        for name, image in ir.events.image_tables.items():  # the events' rows (images.py)
            catalog.images[name] = image_table(catalog.metadata, image,
                                               catalog.entities[name].columns)
    return catalog


def _shared_table(catalog: Catalog, entity: Entity, root: Entity) -> EntityTable:
    table = catalog.entities[root.name].table
    columns = {f.name: table.c[f.column] for f in entity.fields}
    return EntityTable(entity, table, columns)


def _entity_table(catalog: Catalog, ir: IR, entity: Entity) -> EntityTable:
    columns = {f.name: _column(ir, entity, f) for f in entity.fields}
    key = _named(entity.primary_key)
    pk_fields, pk_name = key.fields, _name(key.name)
    table = sa.Table(entity.table, catalog.metadata, *columns.values(), schema=entity.schema,
                     **_table_options(entity, pk_fields))
    table.append_constraint(sa.PrimaryKeyConstraint(*(columns[name] for name in pk_fields),
                                                    name=pk_name))
    catalog.constraint_fields[pk_name] = (entity.name, pk_fields)
    for fields, uq_name in _uniques(entity):
        table.append_constraint(sa.UniqueConstraint(*(columns[f] for f in fields), name=uq_name))
        catalog.constraint_fields[uq_name] = (entity.name, fields)
    for index in entity.indexes:
        _add_index(columns, index)
    for check in entity.checks:
        table.append_constraint(sa.CheckConstraint(sa.text(check.expression),
                                                   name=_name(check.name)))
    for f in entity.fields:
        catalog.column_fields[(entity.table, f.column)] = (entity.name, f.name)
    if entity.search is not None:  # IR 1.4: database/search_indexes.py creates its index
        # on the metadata, not table.info: a revision's create_table would spell that out
        catalog.metadata.info.setdefault("fastbackend_search", {})[table.key] = entity.search
    if entity.soft_delete is not None:  # IR 1.6: scope.live() hides its stamped rows
        catalog.metadata.info.setdefault("fastbackend_soft_delete", {})[entity.name] = \
            entity.soft_delete
    return EntityTable(entity, table, columns)


def _table_options(entity: Entity, pk_fields: tuple[str, ...]) -> dict[str, Any]:
    """Each dialect's table keywords (SQLite's AUTOINCREMENT for a generated integer key)."""
    key = next(f for f in entity.fields if f.name == pk_fields[0]) if len(pk_fields) == 1 \
        else None
    autoincrement_key = key is not None and key.autoincrement and not key.list
    return _dialect_options(autoincrement_key)


def _dialect_options(autoincrement_key: bool) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for dialect in dialects.DIALECTS:
        options.update(dialect.table_options(autoincrement_key))
    return options


_Named = TypeVar("_Named")


def _named(node: _Named | None) -> _Named:
    """A node that fastbackend_ir.names.named made sure of."""
    if node is None:
        raise ValueError("an IR constraint without its name (fastbackend_ir.names.named fills them)")
    return node


def _name(name: str | None) -> str:
    return _named(name)


def _uniques(entity: Entity) -> list[tuple[tuple[str, ...], str]]:
    found: list[tuple[tuple[str, ...], str]] = [
        ((f.name,), _name(f.unique_name)) for f in entity.fields if f.unique]
    found += [(unique.fields, _name(unique.name)) for unique in entity.uniques]
    found += [(tuple(item.field for item in index.fields), _name(index.name))
              for index in entity.indexes if unique_index(index)]
    return found


def _add_index(columns: dict[str, sa.Column[Any]], index: Index) -> None:
    if unique_index(index):
        return  # created as a named unique constraint, so its violations name the fields
    parts = [sa.text(item.field) if item.expression else columns[item.field]
             for item in index.fields]
    name = _name(index.name)
    kwargs: dict[str, Any] = {}
    if index.where:
        for dialect in dialects.DIALECTS:
            kwargs.update(dialect.partial_index_options(index.where))
    if all(item.expression for item in index.fields):
        return  # an index of expressions only has no column to attach it to its table
    # An Index over a table's columns attaches itself to that table.
    sa.Index(name, *parts, unique=index.unique, **kwargs)


def _column(ir: IR, entity: Entity, f: Field) -> sa.Column[Any]:
    kwargs: dict[str, Any] = {"nullable": f.nullable, "key": f.name}
    kwargs["autoincrement"] = f.autoincrement
    kwargs.update(_defaults(ir, f))
    return sa.Column(f.column, column_type(ir, f), **kwargs)


def _defaults(ir: IR, f: Field) -> dict[str, Any]:
    found: dict[str, Any] = {}
    default = f.default
    if isinstance(default, SqlDefault):
        found["server_default"] = sa.text(default.expression)
        # A uuid function of one database (gen_random_uuid() does not exist on SQLite, a
        # schema's dev database): the application makes the value on every database, the
        # server default stays for rows written elsewhere. The rule is shared with the Express
        # server (fastbackend_ir.sqldefaults).
        made = application_default(f)
        if made is not None:
            found["default"] = generators.generator(made.name, made.args, f.type)
    elif isinstance(default, GeneratorDefault) and default.name == "now":
        # The database keeps its default for rows written elsewhere; the API stamps the row
        # itself, from the clock its updatedAt fields read (one instant per statement).
        if default.server:
            found["server_default"] = ServerNow()
        found["default"] = generators.statement_now
    elif isinstance(default, GeneratorDefault):
        found["default"] = generators.generator(default.name, default.args, f.type)
    elif isinstance(default, LiteralDefault):
        if default.server:
            found["server_default"] = server_default(ir, f, default.value)
        else:
            found["default"] = pytypes.api_value(f, ir, _literal(f, default.value))
    if f.updated_at:
        # Prisma's @updatedAt and SQLAlchemy's onupdate both set it in the application.
        found["default"] = generators.statement_now
        found["onupdate"] = generators.statement_now
    return found


def _literal(f: Field, value: Any) -> Any:
    """The IR gives bigint literals beyond JavaScript's safe range as strings (docs/ir.md)."""
    if f.type != "bigint":
        return value
    if isinstance(value, list):
        return [int(item) if isinstance(item, str) else item for item in value]
    return int(value) if isinstance(value, str) else value


def server_default(ir: IR, f: Field, value: Any) -> Any:
    """The IR literal ``value`` of field ``f`` as a column's server default."""
    return _server_literal(ir, f, _literal(f, value))


def _server_literal(ir: IR, f: Field, value: Any) -> Any:
    if isinstance(value, bool):
        return sa.true() if value else sa.false()
    if isinstance(value, int | float):
        return sa.text(repr(value))
    if f.type == "enum" and isinstance(value, str):
        return _stored_enum_value(ir, f, value)
    if f.list and isinstance(value, list):
        stored = [_stored_enum_value(ir, f, v) if f.type == "enum" else v for v in value]
        return ListDefault(sqltypes.with_variants(scalar_type(ir, f), f), stored, value)
    if f.type == "json" or f.list:
        return json.dumps(value)
    return str(value)


def _stored_enum_value(ir: IR, f: Field, name: str) -> str:
    for value in ir.enums[f.enum or ""].values:
        if value.name == name:
            return value.stored
    return name


def _string_type(ir: IR, f: Field) -> TypeEngine[Any]:
    db = f.db
    if db is not None and db.type == "TEXT":
        return sa.Text()
    if db is not None and db.type == "CHAR" and db.length:
        return sa.CHAR(db.length)
    return sa.String(db.length if db is not None else None)


def _decimal_type(ir: IR, f: Field) -> TypeEngine[Any]:
    db = f.db
    return sa.Numeric(db.precision if db else None, db.scale if db else None, asdecimal=True)


def _datetime_type(ir: IR, f: Field) -> TypeEngine[Any]:
    aware = f.db is not None and f.db.timezone
    return sqltypes.AwareDateTime() if aware else sqltypes.NaiveDateTime()


def _enum_type(ir: IR, f: Field) -> TypeEngine[Any]:
    enum = ir.enums[f.enum or ""]
    stored = [value.stored for value in enum.values]
    enum_type = sa.Enum(*stored, name=enum.db_name or enum.name, native_enum=True,
                        create_constraint=True, validate_strings=False)
    if all(value.stored == value.name for value in enum.values):
        return enum_type
    return sqltypes.EnumByName(enum_type, tuple((v.name, v.stored) for v in enum.values))


def _list_type(ir: IR, f: Field, scalar: TypeEngine[Any]) -> TypeEngine[Any]:
    """An array, or JSON where the database has no arrays (sqltypes.list_type). A list of an
    enum stored under other names translates the whole list (sqltypes.EnumListByName)."""
    if isinstance(scalar, sqltypes.EnumByName):
        assert isinstance(scalar.impl_instance, sa.Enum)
        return sqltypes.EnumListByName(scalar.impl_instance, scalar.stored_by_name)
    return sqltypes.list_type(scalar)


def _unsupported_type(ir: IR, f: Field) -> TypeEngine[Any]:
    return sqltypes.RawType((f.db.raw or f.db.type) if f.db is not None else "TEXT")


def _portable(f: Field) -> TypeEngine[Any]:
    """The scalar table's portable type (fastbackend_contract.scalars: a name in sqlalchemy
    and its keyword arguments)."""
    row = scalars.BY_NAME.get(f.type)
    if row is None:
        raise ValueError(f"unsupported logical type {f.type!r}")
    factory: Callable[..., TypeEngine[Any]] = getattr(sa, row.sql)
    return factory(**row.sql_options)


# Where the field's details change the table's type: length, precision, time zone, values.
COLUMN_TYPES: dict[str, Callable[[IR, Field], TypeEngine[Any]]] = {
    "string": _string_type,
    "decimal": _decimal_type,
    "datetime": _datetime_type,
    "enum": _enum_type,
    "unsupported": _unsupported_type,
}


def scalar_type(ir: IR, f: Field) -> TypeEngine[Any]:
    """The portable type of one value of the field (an item, for a list)."""
    override = COLUMN_TYPES.get(f.type)
    return override(ir, f) if override is not None else _portable(f)


def column_type(ir: IR, f: Field) -> TypeEngine[Any]:
    scalar = sqltypes.with_variants(scalar_type(ir, f), f)
    return _list_type(ir, f, scalar) if f.list else scalar


def _add_foreign_keys(catalog: Catalog, ir: IR, entity: Entity) -> None:
    owner = catalog.entities[entity.name]
    for fk in entity.foreign_keys:
        target = catalog.entities[fk.references.entity]
        local = [owner.columns[name] for name in fk.fields]
        remote = [target.columns[name] for name in fk.references.fields]
        name = _name(fk.name)
        owner.table.append_constraint(sa.ForeignKeyConstraint(
            local, remote, name=name, ondelete=_action(fk.on_delete),
            onupdate=_action(fk.on_update)))
        catalog.constraint_fields[name] = (entity.name, fk.fields)


def _action(action: str | None) -> str | None:
    return SQL_ACTIONS[action] if action is not None else None


def _join_table(catalog: Catalog, ir: IR, join_table: JoinTable) -> sa.Table:
    columns = []
    for column in join_table.columns:
        target = catalog.entities[column.references.entity]
        referenced = target.columns[column.references.field]
        columns.append(sa.Column(column.name, referenced.type, nullable=False))
    # the dialects' keywords too: a join table's key columns must match the keys they refer to
    # (MySQL refuses a foreign key between columns of different collations)
    table = sa.Table(join_table.table, catalog.metadata, *columns, schema=join_table.schema,
                     **_dialect_options(autoincrement_key=False))
    by_name = {c.name: c for c in columns}
    pk = join_table.primary_key or tuple(c.name for c in join_table.columns)
    table.append_constraint(sa.PrimaryKeyConstraint(
        *(by_name[name] for name in pk), name=_name(join_table.primary_key_name)))
    for column in join_table.columns:
        target = catalog.entities[column.references.entity]
        table.append_constraint(sa.ForeignKeyConstraint(
            [by_name[column.name]], [target.columns[column.references.field]],
            name=_name(column.foreign_key_name),
            ondelete=_action(column.on_delete), onupdate=_action(column.on_update)))
    for unique, name in zip(join_table.uniques, join_table.unique_names, strict=True):
        table.append_constraint(sa.UniqueConstraint(*(by_name[c] for c in unique), name=name))
    for index, name in zip(join_table.indexes, join_table.index_names, strict=True):
        sa.Index(name, *(by_name[c] for c in index))
    return table
