"""The IR side of the differential test: the same fact keys ground_truth.py prints, read from the
compiled IR, and the comparison of the two."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastbackend.passes.constraint_names import check_column, make_object_name
from fastbackend_ir import IR, Entity, Field, GeneratorDefault, LiteralDefault, SqlDefault

PG_LOGICAL = {
    "string": "VARCHAR", "integer": "INTEGER", "bigint": "BIGINT", "float": "FLOAT",
    "decimal": "NUMERIC", "boolean": "BOOLEAN", "datetime": "TIMESTAMP", "date": "DATE",
    "time": "TIME", "interval": "INTERVAL", "uuid": "UUID", "json": "JSON", "bytes": "BYTEA",
}
PG_NAMES: dict[str, str] = {}  # PostgreSQL's SQLAlchemy dialect renders upper-case names as given


def pg_type(ir: IR, f: Field) -> str:
    """How PostgreSQL would spell the column type the IR describes."""
    if f.type == "enum" and f.enum is not None and f.db is None:
        enum = ir.enums[f.enum]
        base = enum.db_name or enum.name
    elif f.db is not None and f.db.type != "ARRAY":
        base = _db(f)
    else:
        base = _with_zone(PG_LOGICAL.get(f.type, f.type.upper()), False)
    return f"{base}[]" if f.list else base


def _db(f: Field) -> str:
    assert f.db is not None
    name = PG_NAMES.get(f.db.type, f.db.type)
    if name in ("TIMESTAMP", "TIME"):
        return _with_zone(name, f.db.timezone)
    if f.db.precision is not None and f.db.scale is not None:
        return f"{name}({f.db.precision}, {f.db.scale})"
    size = f.db.length if f.db.length is not None else f.db.precision
    return f"{name}({size})" if size is not None else name


def _with_zone(name: str, timezone: bool) -> str:
    if name in ("TIMESTAMP", "TIME"):
        return f"{name} {'WITH' if timezone else 'WITHOUT'} TIME ZONE"
    return name


def default_kind(f: Field) -> str | None:
    if f.updated_at:
        return "updatedAt"
    d = f.default
    if d is None:
        return None
    if isinstance(d, SqlDefault) or (isinstance(d, LiteralDefault | GeneratorDefault) and d.server):
        return "server"
    return "literal" if isinstance(d, LiteralDefault) else "generator"


def _table_key(entity: Entity) -> str:
    return f"{entity.schema}.{entity.table}" if entity.schema else entity.table


def _action(value: str | None) -> str | None:
    words = {"cascade": "CASCADE", "restrict": "RESTRICT", "noAction": "NO ACTION",
             "setNull": "SET NULL", "setDefault": "SET DEFAULT"}
    return words[value] if value else None


def ir_facts(ir: IR) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    by_table: dict[str, list[Entity]] = {}
    for entity in ir.entities.values():
        by_table.setdefault(_table_key(entity), []).append(entity)
        facts.update(_entity_facts(ir, entity))
    for key, entities in by_table.items():
        facts.update(_table_facts(ir, key, entities))
    for key, join in ir.join_tables.items():
        if key in by_table:
            continue  # an association class's table: already an entity's
        facts[f"table {key}"] = "join"
        facts[f"table {key} columns"] = [c.name for c in join.columns]
        facts[f"table {key} primary key"] = sorted(join.primary_key)
        facts[f"table {key} index columns"] = sorted(",".join(i) for i in join.indexes)
        facts[f"table {key} unique columns"] = sorted(",".join(u) for u in join.uniques)
        for column in join.columns:
            target = ir.entities[column.references.entity]
            ref = target.field(column.references.field).column
            facts[f"column {key}.{column.name} foreign keys"] = [
                f"{_table_key(target)}.{ref} ondelete={_action(column.on_delete)} "
                f"onupdate={_action(column.on_update)}"]
    return facts


def _table_facts(ir: IR, key: str, entities: list[Entity]) -> dict[str, Any]:
    facts: dict[str, Any] = {f"table {key}": "entity"}
    columns: dict[str, tuple[Entity, Field]] = {}
    for entity in entities:
        for f in entity.fields:
            columns.setdefault(f.column, (entity, f))
    owner = entities[0]
    facts[f"table {key} columns"] = list(columns)
    facts[f"table {key} primary key"] = sorted(
        owner.field(n).column for n in (owner.primary_key.fields if owner.primary_key else ()))
    unique_indexed: set[str] = set()
    indexes: set[str] = set()
    uniques: set[str] = set()
    checks: set[str] = set()
    for entity in entities:
        for index in entity.indexes:
            parts = [(i.field if i.expression else entity.field(i.field).column)
                     + (" DESC" if i.sort == "desc" else "") for i in index.fields]
            indexes.add(f"{index.name}: {','.join(parts)}{' unique' if index.unique else ''}")
            if index.unique and len(parts) == 1:
                unique_indexed.add(parts[0])
        for unique in entity.uniques:
            cols = ",".join(entity.field(n).column for n in unique.fields)
            given = _given(unique.name, make_object_name(entity.table, cols.replace(",", "_"),
                                                         "key"))
            uniques.add(f"{given}: {cols}" if given else cols)
        for check in entity.checks:
            default = make_object_name(entity.table, check_column(
                [f.column for f in entity.fields], check.expression), "check")
            checks.add(f"{_given(check.name, default)}: {check.expression}")
    facts[f"table {key} uniques"] = sorted(uniques)
    facts[f"table {key} indexes"] = sorted(indexes)
    facts[f"table {key} checks"] = sorted(checks)
    for column, (entity, f) in columns.items():
        facts.update(_column_facts(ir, key, entity, f, column in unique_indexed))
    return facts


def _given(name: str | None, database_default: str) -> str | None:
    """The source's name: None for the name PostgreSQL gives what SQLAlchemy leaves unnamed,
    which the compiler records (tests/compiler/test_constraint_names.py checks it against
    PostgreSQL itself)."""
    return None if name == database_default else name


def _column_facts(ir: IR, key: str, entity: Entity, f: Field, unique_index: bool
                  ) -> dict[str, Any]:
    prefix = f"column {key}.{f.column}"
    facts: dict[str, Any] = {
        f"{prefix} type": pg_type(ir, f),
        f"{prefix} nullable": f.nullable,
        f"{prefix} primary key": f.primary_key,
        f"{prefix} unique": f.unique or unique_index,
        f"{prefix} default": default_kind(f),
        f"{prefix} autoincrement": f.autoincrement,
    }
    fks: list[str] = []
    for fk in entity.foreign_keys:
        if f.name in fk.fields:
            target = ir.entities[fk.references.entity]
            ref = target.field(fk.references.fields[fk.fields.index(f.name)]).column
            fks.append(f"{_table_key(target)}.{ref} ondelete={_action(fk.on_delete)} "
                       f"onupdate={_action(fk.on_update)}")
    facts[f"{prefix} foreign keys"] = sorted(fks)
    if f.type == "enum" and f.enum is not None:
        facts[f"{prefix} enum values"] = [v.stored for v in ir.enums[f.enum].values]
    return facts


def _entity_facts(ir: IR, entity: Entity) -> dict[str, Any]:
    name = entity.name
    inheritance = entity.inheritance
    facts: dict[str, Any] = {
        f"entity {name} table": _table_key(entity),
        f"entity {name} parent": inheritance.parent if inheritance else None,
        f"entity {name} identity": inheritance.identity if inheritance else None,
    }
    if inheritance is not None and inheritance.parent is not None:
        facts[f"entity {name} strategy"] = inheritance.strategy
    if inheritance is not None and inheritance.discriminator is not None:
        facts[f"entity {name} discriminator"] = inheritance.discriminator
    for relation in entity.relations:
        prefix = f"relation {name}.{relation.name}"
        if relation.kind == "manyToMany":
            facts[f"{prefix} join columns"] = sorted(relation.join_columns)
            facts[f"{prefix} inverse join columns"] = sorted(relation.inverse_join_columns)
        elif relation.foreign_key is not None:
            holder = ir.entities[relation.foreign_key.entity]
            facts[f"{prefix} foreign key"] = sorted(
                f"{_table_key(holder)}.{holder.field(n).column}" for n in relation.foreign_key.fields)
        facts[f"{prefix} kind"] = relation.kind
        facts[f"{prefix} target"] = relation.target
        facts[f"{prefix} join table"] = relation.join_table
        facts[f"{prefix} inverse"] = [relation.inverse] if relation.inverse else None
    return facts


@dataclass
class Agreement:
    agree: list[str] = field(default_factory=list)
    disagree: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.agree) + len(self.disagree)


def compare(truth: dict[str, Any], compiled: dict[str, Any]) -> Agreement:
    """Every fact either side states; a fact only one side states is a disagreement."""
    result = Agreement()
    for key in sorted(set(truth) | set(compiled)):
        expected, actual = truth.get(key, "<absent>"), compiled.get(key, "<absent>")
        if expected == actual:
            result.agree.append(key)
        else:
            result.disagree.append(f"{key}: SQLAlchemy says {expected!r}, the IR says {actual!r}")
    return result
