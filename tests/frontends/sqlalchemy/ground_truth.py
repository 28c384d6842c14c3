"""Ground truth for the differential test: import corpus cases with real SQLAlchemy and print,
as JSON, the facts their MetaData and mappers hold.

Run in a subprocess (``python ground_truth.py CASE...``): the test may import user code, the
compiler never does. The libraries are imported once; each case is imported in a forked child, so
cases never see each other's classes, tables or registries (SQLModel has one global registry).
Fact keys are shared with ``facts.ir_facts`` so the two sides compare key by key.

A case is a models file, a models package, or a project folder whose fastbackend.yaml names the
models (``schema: app/models.py``), imported as the project's own code would import it.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pkgutil
import re
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Identity, Sequence, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapper, RelationshipProperty, configure_mappers
from sqlalchemy.orm.interfaces import MANYTOMANY, MANYTOONE, ONETOMANY
from sqlalchemy.orm.mapper import _mapper_registries
from sqlalchemy.sql.schema import CheckConstraint, Column, UniqueConstraint

DIALECT = postgresql.dialect()
EMPTY_CONTAINERS = (dict, list)


# Libraries a case may use, imported before forking so each child starts with them loaded.
PRELOAD = ("sqlmodel", "flask_sqlalchemy", "advanced_alchemy.base", "fastapi_users.db")


def schema_of(case: Path) -> tuple[Path, Path]:
    """(the folder to put on sys.path, the models file or package to import)."""
    config = case / "fastbackend.yaml"
    if case.is_dir() and config.is_file():
        schema = case / str(yaml.safe_load(config.read_text("utf-8"))["schema"])
        src = case / "src"  # a src layout: the project's imports start there
        return (src if schema.is_relative_to(src) else case), schema
    return case.parent, case


def load(case: Path) -> None:
    root, schema = schema_of(case)
    sys.path.insert(0, str(root))
    name = ".".join(schema.relative_to(root).with_suffix("").parts)
    module = importlib.import_module(name)
    if schema.is_dir():
        for info in pkgutil.walk_packages(module.__path__, f"{name}."):
            importlib.import_module(info.name)


def key(table: Table) -> str:
    return f"{table.schema}.{table.name}" if table.schema else table.name


def sql_type(column: Column[Any]) -> str:
    return str(column.type.compile(dialect=DIALECT))


def default_kind(column: Column[Any]) -> str | None:
    if column.onupdate is not None:
        return "updatedAt"
    server = column.server_default
    if server is not None and not isinstance(server, Identity):
        return "server"
    default = column.default
    if default is None or isinstance(default, Sequence) or column._insert_sentinel:
        return None  # an insert sentinel's "default" is SQLAlchemy's bookkeeping, not a value
    if default.is_scalar:
        return "literal"
    if default.is_callable:
        wrapped = getattr(default.arg, "__wrapped__", default.arg)
        return "literal" if wrapped in EMPTY_CONTAINERS else "generator"
    return "generator"


def expression(element: Any) -> str:
    if isinstance(element, Column):
        return element.name
    text = str(element.compile(dialect=DIALECT))
    return re.sub(r"\b\w+\.(\w+)", r"\1", text)  # lower(users.email) -> lower(email)


def action(value: str | None) -> str | None:
    return " ".join(value.upper().split()) if value else None


def table_facts(table: Table, join_table: bool) -> dict[str, Any]:
    t = key(table)
    facts: dict[str, Any] = {f"table {t}": "join" if join_table else "entity"}
    facts[f"table {t} columns"] = [c.name for c in table.columns]
    facts[f"table {t} primary key"] = sorted(c.name for c in table.primary_key.columns)
    for column in table.columns:
        prefix = f"column {t}.{column.name}"
        fks = sorted(f"{key(fk.column.table)}.{fk.column.name} ondelete={action(fk.ondelete)} "
                     f"onupdate={action(fk.onupdate)}" for fk in column.foreign_keys)
        facts[f"{prefix} foreign keys"] = fks
        if join_table:
            continue  # the IR keeps an association table's keys, not its column types
        facts[f"{prefix} type"] = sql_type(column)
        facts[f"{prefix} nullable"] = bool(column.nullable)
        facts[f"{prefix} primary key"] = bool(column.primary_key)
        facts[f"{prefix} unique"] = bool(column.unique)
        facts[f"{prefix} default"] = default_kind(column)
        facts[f"{prefix} autoincrement"] = table.autoincrement_column is column
        enums = getattr(column.type, "enums", None)
        if enums:
            facts[f"{prefix} enum values"] = list(enums)
    if join_table:  # the IR keeps a join table's index and unique columns, not their names
        facts[f"table {t} index columns"] = sorted(
            ",".join(c.name for c in i.columns) for i in table.indexes)
        facts[f"table {t} unique columns"] = sorted(
            ",".join(col.name for col in c.columns) for c in table.constraints
            if isinstance(c, UniqueConstraint))
        return facts
    facts[f"table {t} uniques"] = sorted(
        f"{c.name}: {','.join(col.name for col in c.columns)}" if c.name
        else ",".join(col.name for col in c.columns)
        for c in table.constraints
        if isinstance(c, UniqueConstraint) and not getattr(c, "_column_flag", False))
    facts[f"table {t} indexes"] = sorted(
        f"{i.name}: {','.join(expression(e) for e in i.expressions)}"
        f"{' unique' if i.unique else ''}" for i in table.indexes)
    facts[f"table {t} checks"] = sorted(
        f"{c.name}: {c.sqltext}" for c in table.constraints if isinstance(c, CheckConstraint)
        and not getattr(c, "_type_bound", False))
    return facts


def direction(rel: RelationshipProperty[Any]) -> str:
    if rel.direction is MANYTOMANY:
        return "manyToMany"
    if rel.direction is ONETOMANY:
        return "oneToMany" if rel.uselist else "oneToOne"
    assert rel.direction is MANYTOONE
    for reverse in rel._reverse_property:
        if reverse.direction is ONETOMANY and not reverse.uselist:
            return "oneToOne"
    return "manyToOne"


def has_table(mapper: Mapper[Any] | None) -> bool:
    """False for an AbstractConcreteBase class: mapped to a polymorphic union, not a table (the
    IR has no entity for it; its concrete subclasses are entities of their own)."""
    return mapper is not None and isinstance(mapper.local_table, Table)


def mapper_facts(mapper: Mapper[Any]) -> dict[str, Any]:
    name = mapper.class_.__name__
    facts: dict[str, Any] = {f"entity {name} table": key(mapper.local_table)}  # type: ignore[arg-type]
    parent = mapper.inherits if has_table(mapper.inherits) else None
    facts[f"entity {name} parent"] = parent.class_.__name__ if parent is not None else None
    identity = mapper.polymorphic_identity
    facts[f"entity {name} identity"] = identity
    if parent is not None:
        facts[f"entity {name} strategy"] = (
            "single" if mapper.single else "concrete" if mapper.concrete else "joined")
    if mapper.polymorphic_on is not None:
        prop = mapper.get_property_by_column(mapper.polymorphic_on)  # type: ignore[arg-type]
        facts[f"entity {name} discriminator"] = prop.key
    for rel in mapper.relationships:
        if rel.parent is not mapper and not mapper.single:
            continue  # inherited by a joined or concrete subclass: listed on the parent only
        prefix = f"relation {name}.{rel.key}"
        facts[f"{prefix} kind"] = direction(rel)
        facts[f"{prefix} target"] = rel.mapper.class_.__name__
        secondary = rel.secondary
        facts[f"{prefix} join table"] = key(secondary) if isinstance(secondary, Table) else None
        facts[f"{prefix} inverse"] = sorted(r.key for r in rel._reverse_property) or None
        if rel.direction is MANYTOMANY:
            facts[f"{prefix} join columns"] = sorted(r.name for _, r in rel.synchronize_pairs)
            facts[f"{prefix} inverse join columns"] = sorted(
                r.name for _, r in rel.secondary_synchronize_pairs or ())
        else:
            facts[f"{prefix} foreign key"] = sorted(
                f"{key(c.table)}.{c.name}" for c in rel._calculated_foreign_keys)  # type: ignore[arg-type]
    return facts


def ground_truth(case: Path) -> dict[str, Any]:
    load(case)
    configure_mappers()
    mappers = [m for registry in list(_mapper_registries) for m in registry.mappers
               if has_table(m)]
    facts: dict[str, Any] = {}
    mapped_tables = {key(m.local_table) for m in mappers}  # type: ignore[arg-type]
    tables: dict[str, tuple[Table, bool]] = {}
    for mapper in mappers:
        for table in mapper.local_table.metadata.tables.values():  # type: ignore[attr-defined]
            tables[key(table)] = (table, key(table) not in mapped_tables)
    for table, join in tables.values():
        facts.update(table_facts(table, join))
    for mapper in mappers:
        facts.update(mapper_facts(mapper))
    return facts


def in_child(case: Path) -> dict[str, Any]:
    """The case's facts, computed in a forked child; {"error": ...} when it cannot be imported."""
    read, write = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:  # the child: import the case, write its facts, exit without cleanup
        os.close(read)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # what the case prints is not the report
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (the child exits without closing)
        try:
            result: dict[str, Any] = {"facts": ground_truth(case)}
        except BaseException:
            result = {"error": traceback.format_exc()}
        with os.fdopen(write, "w") as out:
            json.dump(result, out, default=str)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    os.waitpid(pid, 0)
    found: dict[str, Any] = json.loads(text) if text else {"error": "the child died"}
    return found


def main(cases: list[str]) -> None:
    warnings.simplefilter("ignore")
    for name in PRELOAD:  # one not installed here: a case that needs it reports the error
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    import sqlalchemy

    results = {case: in_child(Path(case)) for case in cases}
    print(json.dumps({"sqlalchemy": sqlalchemy.__version__, "cases": results}, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
