"""The atomic batch, `POST /_batch` (docs/rest-api.md "Atomic batch"): its body, its answer.

One flat schema for every operation (an `op` enum, the resource `path` enum, `key` and `body`
as objects) rather than a oneOf per resource and operation: each operation's body is the route's
own (`PostCreateNested`, ...), checked by that route, and a document of a hundred entities
would otherwise grow by a few hundred alternatives that generators and fuzzers walk one by one.
"""

from __future__ import annotations

from typing import Any

from fastbackend_contract import tables
from fastbackend_ir import IR
from fastbackend_ir.contract import batch_operations
from fastbackend_openapi import names, responses
from fastbackend_openapi.parameters import PREFER

REQUEST, OPERATION, RESULTS, RESULT = "BatchRequest", "BatchOperation", "BatchResults", \
    "BatchResult"
TAG = {"name": "batch", "description": "several writes on any resources in one transaction: "
                                       "all or none"}


def resources(ir: IR) -> dict[str, tuple[str, ...]]:
    """Resource path -> the batch operations its routes serve (those it has routes for)."""
    found = {}
    for entity in ir.entities.values():
        ops = batch_operations(entity, tables.BATCH_KINDS)
        if ops:
            found[entity.api.path] = ops
    return found


def schemas(ir: IR, most: int) -> dict[str, Any]:
    served = resources(ir)
    if not served:
        return {}
    ref = (f'`{{"{tables.BATCH_REF}": "<ref>.<field>"}}` anywhere in `key` or `body` stands '
           "for that field of the row an earlier operation named `<ref>` answered")
    operation = {
        "type": "object", "required": ["op", "path"], "additionalProperties": False,
        "description": "One write, as its own route takes it; " + ref + ".",
        "properties": {
            "op": {"type": "string", "enum": [op.op for op in tables.BATCH_OPERATIONS],
                   "description": "create: POST {path}; update: PATCH {path}/{key}; replace: "
                                  "PUT {path}/{key}; delete: DELETE {path}/{key}"},
            "path": {"type": "string", "enum": sorted(served),
                     "description": "the resource's path"},
            "key": {"type": "object", "description": "update, replace, delete: the row's key "
                                                     "fields and their values"},
            "body": {"type": "object", "description": "create, update, replace: the route's "
                                                      "body"},
            "ref": {"type": "string", "pattern": tables.BATCH_REF_NAME,
                    "description": "a name later operations refer to this one's row by"},
            "if_match": {"type": "string", "description": "update, replace, delete: the "
                                                          "route's If-Match"},
        }}
    return {
        OPERATION: operation,
        REQUEST: {"type": "object", "required": ["operations"], "additionalProperties": False,
                  "properties": {"operations": {"type": "array", "items": names.ref(OPERATION),
                                                "minItems": 1, "maxItems": most}}},
        RESULT: {"type": "object", "required": ["status", "body"], "additionalProperties": False,
                 "properties": {"status": {"type": "integer", "minimum": 200, "maximum": 299},
                                "body": {"type": ["object", "null"],
                                         "description": "the route's answer (null: none)"}}},
        RESULTS: {"type": "object", "required": ["results"], "additionalProperties": False,
                  "properties": {"results": {"type": "array", "items": names.ref(RESULT),
                                             "description": "each operation's answer, in "
                                                            "order"}}},
    }


def paths(ir: IR) -> dict[str, Any]:
    if not resources(ir):
        return {}
    minimal = tables.MINIMAL_BY_ACTION[tables.BATCH_ACTION]
    operation = {
        "tags": [TAG["name"]],
        "summary": "Run several writes in one transaction: all or none",
        "description": (
            "Each operation is the request its own route serves (the same validation, auth, "
            "nested writes and events); the first that fails rolls every one back and its "
            "problem is the answer, its pointers under `/operations/<index>`. At most "
            "`limits.max_batch_operations` operations (400 `too-many-operations`)."),
        "operationId": tables.BATCH_ACTION,
        "parameters": [PREFER],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": names.ref(REQUEST)}}},
        "responses": dict(sorted({
            "200": {"description": "every operation's answer, in order",
                    "headers": {tables.PREFERENCE_APPLIED_HEADER: responses.header_ref(
                        tables.PREFERENCE_APPLIED_HEADER)},
                    "content": {"application/json": {"schema": names.ref(RESULTS)}}},
            str(minimal.status): responses.minimal(minimal),
            **responses.problems(tables.ROUTE_PROBLEMS[tables.BATCH_ACTION]),
        }.items()))}
    return {tables.BATCH_PATH: {"post": operation}}
