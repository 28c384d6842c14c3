"""IR entity -> pydantic 2 validators and serializers, built once at startup.

Which fields each shape holds, and which a create requires, are the IR's field roles
(fastbackend_ir.contract): this module translates them into types, it does not decide them.

Request bodies are validated straight from JSON bytes into plain dicts (TypedDicts, in Rust);
responses are serialized from dicts the same way. No model instances are created per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, NotRequired, Required

from annotated_types import MaxLen
from pydantic import ConfigDict, TypeAdapter
from typing_extensions import TypedDict

from fastbackend_contract import tables
from fastbackend_fastapi import pytypes
from fastbackend_ir import IR, Entity, Field
from fastbackend_ir.contract import roles

INPUT_CONFIG = ConfigDict(extra="forbid", val_json_bytes="base64", ser_json_bytes="base64")
# Rows in one create-many array (one transaction). pydantic-core stops at the first item past
# it, so a 1 MB body of 300,000 empty objects is one error, not 300,000 (a 23 MB answer after
# 2-6 s), and 60,000 valid rows no longer hold SQLite's write lock for 3-6 s.
MAX_BATCH = tables.MAX_BATCH
OUTPUT_CONFIG = ConfigDict(ser_json_bytes="base64", ser_json_timedelta="iso8601")


def writable(field: Field) -> bool:
    """Accepted in some body (the IR's roles): a read-only field is not."""
    found = roles(field)
    return found.writable_on_create or found.writable_on_update


def refused_as_read_only(field: Field) -> bool:
    """Sent in a body, a 422 `read_only` (not `unknown_field`): returned, never accepted."""
    return roles(field).readable and not writable(field)


@dataclass(frozen=True)
class EntitySchemas:
    """Validators (JSON bytes -> dict) and serializers (dict -> JSON bytes) of one entity.

    The TypedDict shapes are made at startup; each pydantic adapter is built on first use.
    Building them all eagerly cost ~20 ms an entity (several adapters per entity and per
    to-many relation), a minute of start-up for a 1,000-entity schema, mostly for adapters
    no request of a given process ever uses.
    """

    create_shape: Any
    update_shape: Any
    read_shape: Any
    page_shape: Any
    read_fields: tuple[str, ...]
    read_only_fields: frozenset[str]
    nullable_writable: tuple[str, ...]
    excluded: frozenset[str] = frozenset()  # writable fields the server sets (scope, fill)

    @cached_property
    def create(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.create_shape)

    @cached_property
    def create_many(self) -> TypeAdapter[Any]:
        return TypeAdapter(_batch(self.create_shape))

    @cached_property
    def update(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.update_shape)

    @cached_property
    def read(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.read_shape)

    @cached_property
    def page(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.page_shape)

    @cached_property
    def items(self) -> TypeAdapter[Any]:
        return TypeAdapter(list[self.read_shape])  # type: ignore[name-defined]

    def without(self, ir: IR, entity: Entity, excluded: Iterable[str]) -> EntitySchemas:
        """The same schemas with more fields not accepted on write: a relation's create route
        sets the foreign key from its URL, so in its body the key is `unknown_field` (as on the
        Express server, docs/rest-api.md), where a field the server fills is `read_only`."""
        fields = frozenset(excluded)
        return build(ir, entity, self.excluded | fields, unknown=fields)


def typed_dict(name: str, fields: dict[str, Any], config: ConfigDict) -> Any:
    typed_dict: Any = TypedDict
    shape: Any = typed_dict(name, fields)  # the functional form, with a computed name
    shape.__pydantic_config__ = config
    return shape


def _create_fields(ir: IR, entity: Entity, excluded: frozenset[str]) -> dict[str, Any]:
    shape: dict[str, Any] = {}
    for f in entity.fields:
        if not roles(f).writable_on_create or f.name in excluded:
            continue
        annotation = pytypes.python_type(f, ir)
        if f.nullable:
            annotation = annotation | None
        required = roles(f).required_on_create
        shape[f.name] = Required[annotation] if required else NotRequired[annotation]
    return shape


def _update_fields(ir: IR, entity: Entity, excluded: frozenset[str]) -> dict[str, Any]:
    shape: dict[str, Any] = {}
    for f in entity.fields:
        if not roles(f).writable_on_update or f.name in excluded:
            continue
        annotation = pytypes.python_type(f, ir)
        # Optional to send, but a non-nullable field cannot be set to null.
        shape[f.name] = NotRequired[annotation | None if f.nullable else annotation]
    return shape


def _read_fields(ir: IR, entity: Entity) -> dict[str, Any]:
    shape: dict[str, Any] = {}
    for f in entity.fields:
        if roles(f).readable:
            annotation = pytypes.python_type(f, ir)
            shape[f.name] = annotation | None if f.nullable else annotation
    return shape


class Meta(TypedDict):
    total: int | None
    limit: int
    offset: int | None  # null on a page reached by cursor
    next_cursor: str | None


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _batch(item: Any) -> Any:
    return Annotated[list[item], MaxLen(MAX_BATCH)]


def build(ir: IR, entity: Entity, excluded: frozenset[str] = frozenset(),
          unknown: frozenset[str] = frozenset()) -> EntitySchemas:
    # Distinct names for distinct shapes (they become OpenAPI component names).
    name = entity.api.singular
    if excluded:
        name += "Without" + "".join(_pascal(f) for f in sorted(excluded))
    create = typed_dict(f"{name}Create", _create_fields(ir, entity, excluded), INPUT_CONFIG)
    update = typed_dict(f"{name}Update", _update_fields(ir, entity, excluded), INPUT_CONFIG)
    read_shape = _read_fields(ir, entity)
    read = typed_dict(f"{name}Read", read_shape, OUTPUT_CONFIG)
    page = typed_dict(f"{entity.api.plural}Page", {"data": list[read], "meta": Meta},  # type: ignore[valid-type]
                       OUTPUT_CONFIG)
    forbidden = frozenset(f.name for f in entity.fields
                          if (refused_as_read_only(f) or (f.name in excluded and writable(f)))
                          and f.name not in unknown)
    return EntitySchemas(
        create_shape=create,
        update_shape=update,
        read_shape=read,
        page_shape=page,
        read_fields=tuple(read_shape),
        read_only_fields=forbidden,
        nullable_writable=tuple(f.name for f in entity.fields  # PUT resets them
                                if roles(f).writable_on_create and f.nullable
                                and f.name not in excluded),
        excluded=excluded,
    )
