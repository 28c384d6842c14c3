"""Cross-reference checks that JSON Schema cannot express: every name an IR uses must exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastbackend_ir.errors import IRProblem

# The databases generate keys for integer columns only (a runtime creating a NUMERIC or FLOAT
# column with autoincrement would fail at startup).
AUTOINCREMENT_TYPES = frozenset({"integer", "bigint"})


def check_references(document: Any) -> Iterator[IRProblem]:
    entities: dict[str, Any] = document.get("entities", {})
    enums: dict[str, Any] = document.get("enums", {})
    join_tables: dict[str, Any] = document.get("joinTables", {})
    for name, entity in entities.items():
        yield from _entity(f"/entities/{_escape(name)}", entity, entities, enums, join_tables)
    for key, table in join_tables.items():
        for i, column in enumerate(table["columns"]):
            ref = column["references"]
            pointer = f"/joinTables/{_escape(key)}/columns/{i}/references"
            yield from _field_exists(pointer, ref["entity"], [ref["field"]], entities)
        yield from _join_table_keys(f"/joinTables/{_escape(key)}", table)
    yield from _events(document.get("events"), entities)


def _events(events: dict[str, Any] | None, entities: dict[str, Any]) -> Iterator[IRProblem]:
    """IR 1.4: events name entities the IR has and destinations the events declare."""
    if events is None:
        return
    destinations = events.get("destinations", {})
    for name, operations in events.get("entities", {}).items():
        pointer = f"/events/entities/{_escape(name)}"
        if name not in entities:
            yield IRProblem(pointer, f"unknown entity {name!r}")
        for operation, names in operations.items():
            for i, destination in enumerate(names):
                if destination not in destinations:
                    yield IRProblem(f"{pointer}/{operation}/{i}",
                                    f"unknown destination {destination!r}")
    for i, name in enumerate(events.get("realtime", [])):
        if name not in entities:
            yield IRProblem(f"/events/realtime/{i}", f"unknown entity {name!r}")
    realtime = set(events.get("realtime", []))
    for name in events.get("imageTables", {}):
        if name not in realtime:
            yield IRProblem(f"/events/imageTables/{_escape(name)}",
                            f"{name!r} has no realtime feed")


def _join_table_keys(pointer: str, table: dict[str, Any]) -> Iterator[IRProblem]:
    """A join table's key, uniques and indexes name only columns it lists (a runtime creating
    the table from them would otherwise fail at startup)."""
    listed = [column["name"] for column in table["columns"]]
    yield from _columns(f"{pointer}/primaryKey", table.get("primaryKey", []), listed)
    for group in ("uniques", "indexes"):
        for i, names in enumerate(table.get(group, [])):
            yield from _columns(f"{pointer}/{group}/{i}", names, listed)
    for group, names_key in (("uniques", "uniqueNames"), ("indexes", "indexNames")):
        given, named = len(table.get(group, [])), len(table.get(names_key, []))
        if names_key in table and named != given:  # IR 1.1: one name for each, in order
            yield IRProblem(f"{pointer}/{names_key}", f"{named} names for {given} {group}")


def _columns(pointer: str, used: list[str], listed: list[str]) -> Iterator[IRProblem]:
    for i, name in enumerate(used):
        if name not in listed:
            yield IRProblem(f"{pointer}/{i}", f"unknown column {name!r}: the join table does "
                            "not list it")


def _entity(
    pointer: str,
    entity: dict[str, Any],
    entities: dict[str, Any],
    enums: dict[str, Any],
    join_tables: dict[str, Any],
) -> Iterator[IRProblem]:
    names = [field["name"] for field in entity["fields"]]
    seen: set[str] = set()
    for i, field in enumerate(entity["fields"]):
        if field["name"] in seen:
            yield IRProblem(f"{pointer}/fields/{i}/name", f"duplicate field {field['name']!r}")
        seen.add(field["name"])
        if "enum" in field and field["enum"] not in enums:
            yield IRProblem(f"{pointer}/fields/{i}/enum", f"unknown enum {field['enum']!r}")
        if field.get("autoincrement") and field["type"] not in AUTOINCREMENT_TYPES:
            yield IRProblem(f"{pointer}/fields/{i}/autoincrement",
                            f"a {field['type']} field cannot generate its values: only an "
                            "integer or bigint field is autoincrement")
    yield from _names(f"{pointer}/api/key", entity["api"]["key"], names)
    if "primaryKey" in entity:
        yield from _names(f"{pointer}/primaryKey/fields", entity["primaryKey"]["fields"], names)
    for group in ("uniques", "foreignKeys"):
        for i, item in enumerate(entity.get(group, [])):
            yield from _names(f"{pointer}/{group}/{i}/fields", item["fields"], names)
    for i, index in enumerate(entity.get("indexes", [])):
        plain = [item["field"] for item in index["fields"] if not item.get("expression")]
        yield from _names(f"{pointer}/indexes/{i}/fields", plain, names)
    for i, fk in enumerate(entity.get("foreignKeys", [])):
        ref = fk["references"]
        yield from _field_exists(f"{pointer}/foreignKeys/{i}/references", ref["entity"],
                                 ref["fields"], entities)
    for i, relation in enumerate(entity.get("relations", [])):
        yield from _relation(f"{pointer}/relations/{i}", relation, entities, join_tables)
        yield from _linking_fields(f"{pointer}/relations/{i}", relation, names, entities)
    yield from _routes(pointer, entity)
    if "search" in entity:  # IR 1.4: searched fields are text fields of the entity
        yield from _names(f"{pointer}/search/fields", entity["search"]["fields"], names)
        types = {field["name"]: field["type"] for field in entity["fields"]}
        for i, name in enumerate(entity["search"]["fields"]):
            if types.get(name, "string") != "string":
                yield IRProblem(f"{pointer}/search/fields/{i}",
                                f"{name!r} is a {types[name]} field; only text is searched")
    parent = entity.get("inheritance", {}).get("parent")
    if parent is not None and parent not in entities:
        yield IRProblem(f"{pointer}/inheritance/parent", f"unknown entity {parent!r}")


def _relation(
    pointer: str, relation: dict[str, Any], entities: dict[str, Any], join_tables: dict[str, Any]
) -> Iterator[IRProblem]:
    target = relation["target"]
    if target not in entities:
        yield IRProblem(f"{pointer}/target", f"unknown entity {target!r}")
        return
    inverse = relation.get("inverse")
    target_relations = {r["name"] for r in entities[target].get("relations", [])}
    if inverse is not None and inverse not in target_relations:
        yield IRProblem(f"{pointer}/inverse", f"entity {target!r} has no relation {inverse!r}")
    fk = relation.get("foreignKey")
    if fk is not None:
        yield from _field_exists(f"{pointer}/foreignKey", fk["entity"], fk["fields"], entities)
    if "joinTable" in relation and relation["joinTable"] not in join_tables:
        yield IRProblem(f"{pointer}/joinTable", f"unknown join table {relation['joinTable']!r}")


def _linking_fields(pointer: str, relation: dict[str, Any], names: list[str],
                    entities: dict[str, Any]) -> Iterator[IRProblem]:
    """IR 1.2: ``localFields`` are this entity's, ``remoteFields`` the target's, pairwise."""
    local, remote = relation.get("localFields", []), relation.get("remoteFields", [])
    yield from _names(f"{pointer}/localFields", local, names)
    if relation["target"] in entities:
        known = [f["name"] for f in entities[relation["target"]]["fields"]]
        yield from _names(f"{pointer}/remoteFields", remote, known)
    if len(local) != len(remote):
        yield IRProblem(f"{pointer}/remoteFields", f"{len(remote)} remote fields for "
                        f"{len(local)} local fields")


def _routes(pointer: str, entity: dict[str, Any]) -> Iterator[IRProblem]:
    """IR 1.2: a route's relation is the entity's; no two routes share a method and path."""
    relations = {relation["name"] for relation in entity.get("relations", [])}
    seen: set[tuple[str, str]] = set()
    for i, route in enumerate(entity.get("routes", [])):
        if "relation" in route and route["relation"] not in relations:
            yield IRProblem(f"{pointer}/routes/{i}/relation",
                            f"unknown relation {route['relation']!r}")
        if (route["method"], route["path"]) in seen:
            yield IRProblem(f"{pointer}/routes/{i}", f"a second {route['method']} "
                            f"{route['path']}")
        seen.add((route["method"], route["path"]))


def _field_exists(
    pointer: str, entity: str, fields: list[str], entities: dict[str, Any]
) -> Iterator[IRProblem]:
    if entity not in entities:
        yield IRProblem(f"{pointer}/entity", f"unknown entity {entity!r}")
        return
    yield from _names(f"{pointer}/fields", fields, [f["name"] for f in entities[entity]["fields"]])


def _names(pointer: str, used: list[str], known: list[str]) -> Iterator[IRProblem]:
    for i, name in enumerate(used):
        if name not in known:
            yield IRProblem(f"{pointer}/{i}", f"unknown field {name!r}")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
