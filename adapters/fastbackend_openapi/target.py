"""Compile targets: ``openapi`` writes openapi.yaml; ``openapi-json`` writes openapi.json.

``fastbackend compile --target openapi --target openapi-json`` writes both.
"""

from __future__ import annotations

from fastbackend_ir import IR
from fastbackend_ir.target import Outputs, Target
from fastbackend_openapi.document import emit
from fastbackend_openapi.render import to_json, to_yaml


def render_yaml(ir: IR) -> Outputs:
    return {"openapi.yaml": to_yaml(emit(ir))}


def render_json(ir: IR) -> Outputs:
    return {"openapi.json": to_json(emit(ir))}


TARGET = Target(name="openapi", description="the OpenAPI 3.1 contract (openapi.yaml)",
                render=render_yaml)
JSON_TARGET = Target(name="openapi-json", description="the OpenAPI 3.1 contract as JSON "
                     "(openapi.json)", render=render_json)
