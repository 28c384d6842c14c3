"""Put Prisma's DMMF and FastBackend's IR in one comparable shape.

The mapping of Prisma's semantics to the IR's, stated once:
- DMMF lists neither `@@ignore` models nor `@ignore`/`Unsupported` fields; the IR keeps
  Unsupported fields (type `unsupported`), so those are left out of the comparison.
- Scalar types: the IR refines String @db.Uuid to `uuid` and DateTime @db.Date/@db.Time to
  `date`/`time`; they compare as the Prisma scalar. A composite-type field is `json` in the IR.
- `@default(autoincrement())`/`sequence()` is the IR's `autoincrement` flag; `uuid()` is uuid4,
  `cuid()` cuid (DMMF args [4] and [1]); `auto()` and `dbgenerated()` are SQL defaults.
- Referential actions: DMMF gives them only when written; the IR records the effective action,
  so an absent one compares as Prisma's default (onDelete SetNull when every foreign-key field is
  optional, else Restrict, NoAction on SQL Server; onUpdate Cascade).
- `@map("")` (Prisma accepts an empty name): the IR needs a non-empty column, so both sides fall
  back to the field name.
- A unique with per-field options (`@unique(sort: Desc)`, `@@unique([a(length: 10)])`) is a
  unique index in the IR (a unique constraint has no per-field options); DMMF lists it as a unique.
- `@id`/`@@id` per-field options (`sort`, SQL Server only) have no place in the IR's primaryKey:
  the id's fields compare without them.
- Indexes on `@ignore`d fields: DMMF lists them, the IR leaves them out with the field.
- Documentation: `///` and `/* */` become descriptions, except doc lines made only of `@hidden`,
  `@writeOnly` and `@readOnly`, which become the field's API roles instead.
- Relation names: the IR keeps only an explicit name; the implicit one is `<A>To<B>`.
- MongoDB schemas are refused (FB222), so nothing here maps MongoDB's many-to-many id arrays.
- A self one-to-one relation's foreign key lives on the same entity for both ends, so the IR
  cannot tell the ends apart: both compare with the owning end's keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from fastbackend.passes.constraint_names import PrismaNames
from fastbackend_ir import IR, Entity, Field, GeneratorDefault, LiteralDefault, SqlDefault

_SCALAR_OF = {
    "string": "String", "uuid": "String", "integer": "Int", "bigint": "BigInt", "float": "Float",
    "decimal": "Decimal", "datetime": "DateTime", "date": "DateTime", "time": "DateTime",
    "json": "Json", "bytes": "Bytes", "boolean": "Boolean",
}
_ACTIONS = {"cascade": "Cascade", "restrict": "Restrict", "noAction": "NoAction",
            "setNull": "SetNull", "setDefault": "SetDefault"}


_ROLES = {"@hidden", "@writeOnly", "@readOnly"}


def _doc(text: str | None) -> str | None:
    if text is None:
        return None
    kept = [line for line in text.split("\n") if not (line.split() and set(line.split()) <= _ROLES)]
    return "\n".join(kept) if kept else None


def _value(value: Any, prisma_type: str) -> Any:
    if isinstance(value, list):
        return [_value(v, prisma_type) for v in value]
    if prisma_type in ("Int", "Float", "Decimal") and value is not None:
        return float(value)
    if prisma_type == "BigInt":
        return int(value)
    if prisma_type == "DateTime" and isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    if prisma_type == "Json" and isinstance(value, str):
        return json.loads(value)
    return value


# -- DMMF side ----------------------------------------------------------------------------------
def _dmmf_default(field: dict[str, Any], prisma_type: str) -> Any:
    if "default" not in field:
        return None
    default = field["default"]
    if isinstance(default, dict) and "name" in default:
        name = "autoincrement" if default["name"] == "sequence" else default["name"]
        args = [] if name == "autoincrement" else default.get("args", [])
        return ["fn", name, args]
    return ["literal", _value(default, prisma_type)]


def _default_actions(
    model: dict[str, Any], field: dict[str, Any], provider: str | None
) -> tuple[str | None, str | None]:
    if not field.get("relationFromFields"):
        return None, None
    scalars = {f["name"]: f for f in model["fields"]}
    optional = all(not scalars[n]["isRequired"] for n in field["relationFromFields"])
    restrict = "NoAction" if provider == "sqlserver" else "Restrict"
    return ("SetNull" if optional else restrict), "Cascade"


def _self_one_to_one(model: dict[str, Any], relations: list[dict[str, Any]]) -> None:
    """Both ends of a self one-to-one carry the owning end's keys, as in the IR, which cannot tell
    them apart (both ends' foreign key lives on the same entity)."""
    for relation in relations:
        if relation["target"] != model["name"] or relation["list"] or relation["fields"]:
            continue
        owner = next((r for r in relations if r["relationName"] == relation["relationName"]
                      and r is not relation and r["fields"] and not r["list"]), None)
        if owner is not None:
            for key in ("fields", "references", "onDelete", "onUpdate"):
                relation[key] = owner[key]


def dmmf_model(model: dict[str, Any], composites: set[str], provider: str | None) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    for field in model["fields"]:
        if field["kind"] == "object" and field["type"] not in composites:
            on_delete, on_update = _default_actions(model, field, provider)
            relations.append({
                "name": field["name"], "target": field["type"],
                "relationName": field["relationName"],
                "fields": field["relationFromFields"], "references": field["relationToFields"],
                "onDelete": field.get("relationOnDelete", on_delete),
                "onUpdate": field.get("relationOnUpdate", on_update),
                "list": field["isList"], "optional": not field["isRequired"],
                "doc": _doc(field.get("documentation")),
            })
            continue
        prisma_type = "Json" if field["type"] in composites else field["type"]
        fields.append({
            "name": field["name"], "column": field.get("dbName") or field["name"],
            "type": prisma_type, "optional": not field["isRequired"], "list": field["isList"],
            "id": field["isId"], "unique": field["isUnique"],
            "default": _dmmf_default(field, prisma_type), "updatedAt": field["isUpdatedAt"],
            "doc": _doc(field.get("documentation")),
        })
    _self_one_to_one(model, relations)
    return {"table": model.get("dbName") or model["name"], "schema": model.get("schema"),
            "fields": fields, "relations": relations, "doc": model.get("documentation")}


def dmmf_indexes(indexes: list[dict[str, Any]], model: dict[str, Any], kept: set[str],
                 provider: str | None) -> list[Any]:
    """The DMMF gives an index's dbName only when `map:` names it; the IR names every one (IR
    1.1), so an unnamed one is given Prisma's default name (which
    tests/compiler/test_constraint_names.py checks against Prisma's engine)."""
    rule = PrismaNames(provider)
    table = model.get("dbName") or model["name"]
    columns = {f["name"]: f.get("dbName") or f["name"] for f in model["fields"]}
    defaults: dict[str, Callable[[list[str]], str]] = {
        "id": lambda _cols: rule.primary_key(table), "unique": partial(rule.unique, table),
        "normal": partial(rule.index, table), "fulltext": partial(rule.index, table)}
    found = []
    for index in indexes:
        if index["model"] != model["name"]:
            continue
        if any(f["name"].split(".")[0] not in kept for f in index["fields"]):
            continue  # an index on an @ignore'd field: the IR leaves the field, and so the index
        fields = [[f["name"], f.get("sortOrder"), f.get("length"), f.get("operatorClass")]
                  for f in index["fields"]]
        if index["type"] == "id":  # the IR's primaryKey has no per-field options
            fields = [[name, None, None, None] for name, *_options in fields]
        name = index.get("dbName") or defaults[index["type"]](
            [columns.get(f["name"], f["name"]) for f in index["fields"]])
        found.append([index["type"], fields, name, index.get("algorithm")])
    return sorted(found, key=json.dumps)


def dmmf_enums(enums: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: {"dbName": e.get("dbName"), "doc": e.get("documentation"),
                        "values": [[v["name"], v.get("dbName"), v.get("documentation")]
                                   for v in e["values"]]}
            for e in enums}


def from_dmmf(
    dmmf: dict[str, Any], provider: str | None, kept: dict[str, set[str]]
) -> dict[str, Any]:
    """``kept``: the IR's field names per entity (an index on a field the IR left out, because it
    is `@ignore`d, is left out of the comparison)."""
    composites = {t["name"] for t in dmmf.get("types", [])}
    return {
        "models": {m["name"]: {**dmmf_model(m, composites, provider),
                               "indexes": dmmf_indexes(dmmf["indexes"], m,
                                                       kept.get(m["name"], set()), provider)}
                   for m in dmmf["models"]},
        "enums": dmmf_enums(dmmf["enums"]),
    }


# -- IR side ------------------------------------------------------------------------------------
def _ir_default(field: Field, prisma_type: str) -> Any:
    if field.autoincrement:
        return ["fn", "autoincrement", []]
    default = field.default
    if default is None:
        return None
    if isinstance(default, LiteralDefault):
        return ["literal", _value(default.value, prisma_type)]
    if isinstance(default, SqlDefault):
        if default.expression == "auto()":
            return ["fn", "auto", []]
        return ["fn", "dbgenerated", [default.expression] if default.expression else []]
    assert isinstance(default, GeneratorDefault)
    name, args = {"uuid4": ("uuid", [4]), "uuid7": ("uuid", [7]), "cuid": ("cuid", [1]),
                  "cuid2": ("cuid", [2])}.get(default.name, (default.name, list(default.args)))
    return ["fn", name, args]


def _ir_field(entity: Entity, field: Field) -> dict[str, Any]:
    prisma_type = field.enum if field.enum else _SCALAR_OF[field.type]
    pk = entity.primary_key
    # DMMF's isUnique: any single-field unique, declared on the field or as @@unique([f]).
    single_unique = any(u.fields == (field.name,) for u in entity.uniques) or any(
        i.unique and [f.field for f in i.fields] == [field.name] for i in entity.indexes)
    single_id = pk is not None and pk.fields == (field.name,)
    return {
        "name": field.name, "column": field.column, "type": prisma_type,
        "optional": field.nullable, "list": field.list, "id": single_id,
        # DMMF says isUnique false for the id field even with @unique (its index is still listed).
        "unique": (field.unique or single_unique) and not single_id,
        "default": _ir_default(field, prisma_type), "updatedAt": field.updated_at,
        "doc": field.description,
    }


def _implicit(a: str, b: str) -> str:
    first, second = sorted((a, b), key=lambda s: s.encode())
    return f"{first}To{second}"


def _ir_relation(entity: Entity, relation: Any) -> dict[str, Any]:
    fk = relation.foreign_key
    # A self one-to-one relation: both ends name the same foreign key (see _self_one_to_one).
    own = fk is not None and relation.kind in ("manyToOne", "oneToOne") and fk.entity == entity.name
    on_delete = on_update = None
    if own:
        key = next(k for k in entity.foreign_keys if k.fields == fk.fields
                   and k.references.entity == relation.target)
        on_delete, on_update = _ACTIONS[key.on_delete or ""], _ACTIONS[key.on_update or ""]
    return {
        "name": relation.name, "target": relation.target,
        "relationName": relation.relation_name or _implicit(entity.name, relation.target),
        "fields": list(fk.fields) if own else [], "references": list(fk.references) if own else [],
        "onDelete": on_delete, "onUpdate": on_update,
        "list": relation.to_many, "optional": relation.nullable,
        "doc": relation.description,
    }


def ir_indexes(entity: Entity) -> list[Any]:
    found: list[Any] = []
    if entity.primary_key is not None:
        found.append(["id", [[f, None, None, None] for f in entity.primary_key.fields],
                      entity.primary_key.name, None])
    for field in entity.fields:
        if field.unique:
            found.append(["unique", [[field.name, None, None, None]], field.unique_name, None])
    for unique in entity.uniques:
        found.append(["unique", [[f, None, None, None] for f in unique.fields], unique.name, None])
    for index in entity.indexes:
        kind = "fulltext" if index.type == "fulltext" else "unique" if index.unique else "normal"
        algorithm = None if index.type in (None, "fulltext") else _algorithm(index.type)
        fields = [[f.field, f.sort, f.length, f.ops] for f in index.fields]
        found.append([kind, fields, index.name, algorithm])
    return sorted(found, key=json.dumps)


def _algorithm(kind: str) -> str:
    return {"btree": "BTree", "hash": "Hash", "gist": "Gist", "gin": "Gin", "spgist": "SpGist",
            "brin": "Brin"}[kind]


def from_ir(ir: IR) -> dict[str, Any]:
    models = {}
    for name, entity in ir.entities.items():
        fields = [_ir_field(entity, f) for f in entity.fields if f.type != "unsupported"]
        models[name] = {
            "table": entity.table, "schema": entity.schema, "fields": fields,
            "relations": [_ir_relation(entity, r) for r in entity.relations],
            "indexes": ir_indexes(entity), "doc": entity.description,
        }
    enums = {name: {"dbName": e.db_name, "doc": e.description,
                    "values": [[v.name, v.db_name, v.description] for v in e.values]}
             for name, e in ir.enums.items()}
    return {"models": models, "enums": enums}
