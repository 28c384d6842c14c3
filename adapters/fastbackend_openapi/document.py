"""emit(ir): the OpenAPI 3.1 document of the REST contract, built from the IR alone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastbackend_contract import tables
from fastbackend_ir import IR
from fastbackend_ir.contract import Vocabulary, child_fields, completed
from fastbackend_ir.routable import routable, unroutable
from fastbackend_openapi import (
    batch,
    components,
    info,
    listing,
    names,
    nested,
    paths,
    responses,
    where,
)
from fastbackend_openapi.parameters import Limits

OPENAPI_VERSION = "3.1.0"

Document = dict[str, Any]


ServerSet = Mapping[str, tuple[str, ...]]
# The contract's tables, to complete an IR older than 1.2 as the compiler would record it.
VOCABULARY = Vocabulary(tables.OPERATORS_BY_TYPE, tables.ROUTE_PROBLEMS, tables.AGGREGATES_BY_TYPE)


def _schemas(ir: IR, limits: Limits, server_set: ServerSet) -> dict[str, Any]:
    found: dict[str, Any] = {**components.shared_schemas(), **where.filter_schemas(ir),
                             **where.nested_schemas()}
    for enum in ir.enums.values():
        found[enum.name] = components.enum_schema(enum)
    for entity in ir.entities.values():
        if not entity.api.operations:
            continue
        found[names.read(entity)] = components.read_schema(ir, entity)
        found[names.item(entity)] = components.item_schema(ir, entity)
        own = server_set.get(entity.name, ())
        found[names.create(entity)] = components.create_schema(ir, entity, own)
        found[names.update(entity)] = components.update_schema(ir, entity, own)
        found[names.page(entity)] = components.page_schema(entity)
        found[names.where(entity)] = where.where_schema(ir, entity)
        if "list" in entity.api.operations:
            found[names.query(entity)] = listing.query_body(ir, entity, limits)
        for relation in paths.created_under(entity):
            excluded, target = child_fields(relation), ir.entity(relation.target)
            found[names.create(target, excluded)] = components.create_schema(
                ir, target, (*excluded, *server_set.get(target.name, ())))
    found.update(nested.schemas(ir, dict(server_set)))  # create bodies with related rows
    found.update(batch.schemas(ir, limits.batch))  # POST /_batch
    return dict(sorted(found.items()))


def _paths(ir: IR) -> dict[str, Any]:
    """The probes, then every route the IR records (operation ids unique: the compiler's),
    then the atomic batch's."""
    return {**paths.PROBES, **paths.paths(ir), **batch.paths(ir)}


def _tags(ir: IR, unrouted: dict[str, str]) -> list[dict[str, str]]:
    """One tag per exposed entity; an entity left without routes keeps its tag, which says why
    (a tag without operations is what Swagger UI and ReDoc show of it)."""
    tags = [{"name": "health", "description": "the service's own state"}]
    if batch.resources(ir):
        tags.append(batch.TAG)
    for entity in ir.entities.values():
        if entity.api.operations or entity.name in unrouted:
            tag = {"name": entity.api.plural}
            words = [entity.description] if entity.description else []
            if entity.name in unrouted:
                words.append(f"No routes: {unrouted[entity.name]}.")
            if words:
                tag["description"] = " ".join(words)
            tags.append(tag)
    return tags


def _guard(found: dict[str, Any]) -> dict[str, Any]:
    """401 and 403 on every generated operation (auth dependencies may refuse any of them):
    both are in its shared ``4XX`` problem, which every operation but the probes has."""
    for path, item in found.items():
        for operation in item.values() if path not in paths.PROBES else ():
            problem = responses.response_ref(responses.CLIENT_ERROR)
            operation["responses"] = dict(sorted({**operation["responses"], "4XX": problem}.items()))
    return found


def _used_parameters(found: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    """The parameter components some operation refers to: an entity's ``target_key`` serves
    only many-to-many link routes, its ``key`` only item and relation routes."""
    used = {reference["$ref"].rsplit("/", 1)[1] for item in found.values()
            for operation in item.values() for reference in operation.get("parameters", ())
            if "$ref" in reference}  # an aggregate's own parameters are inline
    return {name: parameter for name, parameter in parameters.items()
            if parameter["in"] != "path" or name in used}


def emit(ir: IR, limits: Limits | None = None, *, server_set: ServerSet | None = None,
         guarded: bool = False) -> Document:
    """The OpenAPI 3.1 document of every generated route.

    ``limits``: the runtime's page sizes (defaults: 50, at most 200). ``server_set``: per
    entity, writable fields the server sets itself (auth scope and fill fields), so never
    accepted in a body. ``guarded``: auth is configured, so any operation may answer 401/403.
    """
    ir = completed(ir, VOCABULARY)  # routes, roles and links: the IR's (IR 1.2)
    unrouted = unroutable(ir)
    ir = routable(ir)  # the entities the routes cannot serve are documented as having none
    shared_responses, headers = responses.components(ir)
    limits = limits or Limits()
    found = _paths(ir)
    document: Document = {"openapi": OPENAPI_VERSION, "info": info.info(ir)}
    if ir.api is not None and ir.api.servers:
        document["servers"] = info.servers(ir.api)
    document.update({
        "tags": _tags(ir, unrouted),
        "paths": _guard(found) if guarded else found,
        "components": {"schemas": _schemas(ir, limits, server_set or {}),
                       "parameters": _used_parameters(found, listing.components(ir, limits)),
                       "responses": shared_responses, "headers": headers},
    })
    if unrouted:  # machine-readable: entity -> why it has no routes
        document["x-fastbackend-unrouted"] = unrouted
    return document
