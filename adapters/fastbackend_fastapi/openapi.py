"""OpenAPI for the generated routes: request and response schemas from the same TypeAdapters
that validate and serialize, so /docs shows exactly what the API accepts and returns.

The generated routes are plain Starlette routes (FastAPI's per-request parameter machinery has
nothing to do for them and costs ~20% of a read), so their operations are registered here and
merged into the document FastAPI generates for everything else (custom routers, /healthz).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from pydantic import TypeAdapter

from fastbackend_fastapi.schemas import EntitySchemas

REF = "#/components/schemas/{model}"
PROBLEM = {"description": "RFC 9457 problem details",
           "content": {"application/problem+json": {"schema": {"type": "object"}}}}

Components = dict[str, Any]


@dataclass
class Registry:
    components: Components = field(default_factory=dict)
    paths: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, path: str, method: str, operation: dict[str, Any]) -> None:
        self.paths.setdefault(path, {})[method.lower()] = operation


def _ref(components: Components, adapter: TypeAdapter[Any], mode: str) -> dict[str, str]:
    """Register the adapter's schema (and its $defs) as components; return a $ref to it."""
    schema = adapter.json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
    components.update(schema.pop("$defs", {}))
    name = schema["title"]
    components[name] = schema
    return {"$ref": REF.format(model=name)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def request_body(components: Components, schemas: EntitySchemas, kind: str) -> dict[str, Any]:
    adapter = schemas.update if kind == "update" else schemas.create
    single = _ref(components, adapter, "validation")
    schema = ({"anyOf": [single, {"type": "array", "items": single}]} if kind == "create"
              else single)
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def responses(components: Components, schemas: EntitySchemas, kind: str) -> dict[str, Any]:
    """Success and problem responses of one operation kind."""
    found: dict[str, Any] = {"4XX": PROBLEM}
    if kind == "list":
        found["200"] = _json(_ref(components, schemas.page, "serialization"), "A page")
    elif kind == "create":
        row = _ref(components, schemas.read, "serialization")
        found["201"] = _json({"anyOf": [row, {"type": "array", "items": row}]}, "Created")
    elif kind == "delete":
        found["204"] = {"description": "Deleted"}
    else:
        found["200"] = _json(_ref(components, schemas.read, "serialization"), "The row")
    return found


def operation(components: Components, schemas: EntitySchemas, kind: str,
              with_body: bool) -> dict[str, Any]:
    extra: dict[str, Any] = {"responses": responses(components, schemas, kind)}
    if with_body:
        extra["requestBody"] = request_body(components, schemas, kind)
    return extra


def install(app: FastAPI, registry: Registry) -> None:
    """Add the registered operations and components to the document FastAPI generates."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            paths = schema.setdefault("paths", {})
            for path, operations in registry.paths.items():
                paths.setdefault(path, {}).update(operations)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(
                registry.components)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
