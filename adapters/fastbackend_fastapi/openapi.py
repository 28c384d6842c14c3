"""/openapi.json: the emitter's document of the IR, merged with FastAPI's for everything else.

One contract by construction: the generated routes are documented by
``fastbackend_openapi.emit(ir)`` (the same document ``fastbackend compile`` writes to
openapi.yaml), and the routes FastAPI documents itself (custom routers, @override handlers) are
merged into it with their real parameters and schemas; an override replaces the generated
operation. The generated routes are plain Starlette routes (FastAPI's per-request parameter
machinery has nothing to do for them and costs ~20% of a read), hidden from FastAPI's own
document.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from fastbackend_ir import IR
from fastbackend_openapi import Limits, emit, merge

Document = dict[str, Any]
# FastAPI documents request validation errors with its own shapes; the runtime answers them with
# problem+json (problems.py), the emitter's ValidationFailed response.
FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
VALIDATION_FAILED = {"$ref": "#/components/responses/ValidationFailed"}


def _own_route(route: BaseRoute) -> bool:
    """The runtime's own FastAPI routes (/healthz), which the emitter documents too."""
    return isinstance(route, APIRoute) and route.endpoint.__module__ == "fastbackend_fastapi.app"


def _problem_validation(fragment: Document) -> Document:
    """FastAPI's 422 responses -> the problem+json the runtime really sends."""
    for item in fragment.get("paths", {}).values():
        for operation_ in item.values():
            if isinstance(operation_, dict) and "422" in operation_.get("responses", {}):
                operation_["responses"]["422"] = dict(VALIDATION_FAILED)
    schemas = fragment.get("components", {}).get("schemas", {})
    text = json.dumps(fragment.get("paths", {}))
    for name in FASTAPI_VALIDATION:
        if name in schemas and f"/{name}\"" not in text:
            del schemas[name]
    return fragment


def fastapi_fragment(app: FastAPI) -> Document:
    """What FastAPI documents of the app: custom routers and overrides."""
    routes = [route for route in app.routes if not _own_route(route)]
    return _problem_validation(get_openapi(title=app.title, version=app.version, routes=routes))


def _server_set(app: FastAPI, ir: IR) -> dict[str, tuple[str, ...]]:
    """Fields auth fills in (scope, fill): the runtime refuses them in bodies."""
    guard = getattr(app.state, "guard", None)
    if guard is None:
        return {}
    found = {name: guard.auth.model(name).fill_fields for name in ir.entities}
    return {name: fields for name, fields in found.items() if fields}


def document(app: FastAPI, ir: IR, limits: Limits) -> Document:
    guarded = getattr(app.state, "guard", None) is not None
    generated = emit(ir, limits, server_set=_server_set(app, ir), guarded=guarded)
    return merge(generated, fastapi_fragment(app))


def install(app: FastAPI) -> None:
    """Serve the merged document at /openapi.json (built once, on first request)."""
    runtime = app.state.runtime
    limits = Limits(runtime.settings.default_limit, runtime.settings.max_limit,
                    getattr(app.state, "max_batch_operations", Limits.batch))

    def openapi() -> Document:
        if app.openapi_schema is None:
            source = getattr(app.state, "source_ir", runtime.ir)  # create_app's, unstripped
            app.openapi_schema = document(app, source, limits)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
