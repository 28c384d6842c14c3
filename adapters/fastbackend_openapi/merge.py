"""merge(document, fragment): another generator's operations (custom routers, overrides) into
the emitted document, so one contract describes every route an app serves.

A fragment's operation replaces the generated one on the same path and method (an override
serves that route, so its parameters and schemas are the true ones); its components are added.
Paths are compared without their parameter names (`/users/{id}` is `/users/{key}`, as the
router matches them): the fragment's operation moves under the document's path, its path
parameters renamed, since OpenAPI forbids two templates that differ only in names.
A component of the same name with different content is an error: one of the two documents
would silently describe the wrong thing.
"""

from __future__ import annotations

import copy
import re
from typing import Any

Document = dict[str, Any]
MERGED_SECTIONS = ("schemas", "responses", "headers", "parameters", "requestBodies",
                   "securitySchemes", "examples", "links", "callbacks", "pathItems")


PARAMETER = re.compile(r"\{([^}]*)\}")


class MergeConflict(ValueError):
    """Two different definitions under one component name."""


def _merge_components(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for section in MERGED_SECTIONS:
        for name, definition in extra.get(section, {}).items():
            present = target.setdefault(section, {})
            if name in present and present[name] != definition:
                raise MergeConflict(f"components.{section}.{name} is defined twice, differently")
            present[name] = definition


def _merge_tags(document: Document, fragment: Document) -> None:
    known = {tag["name"] for tag in document.get("tags", [])}
    added = [tag for tag in fragment.get("tags", []) if tag["name"] not in known]
    if added:
        document["tags"] = [*document.get("tags", []), *added]


def signature(path: str) -> str:
    return PARAMETER.sub("{}", path)


def _renamed(item: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A path item with its path parameters renamed (``names``: old -> new)."""
    for operation in item.values():
        if not isinstance(operation, dict):
            continue
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path" and parameter.get("name") in names:
                parameter["name"] = names[parameter["name"]]
    return item


def _place(paths: dict[str, Any], path: str, item: dict[str, Any]) -> None:
    known = {signature(p): p for p in paths}
    existing = known.get(signature(path), path)
    names = dict(zip(PARAMETER.findall(path), PARAMETER.findall(existing), strict=True))
    paths.setdefault(existing, {}).update(_renamed(item, names))


def merge(document: Document, fragment: Document) -> Document:
    """A new document: ``document`` with ``fragment``'s paths, components and tags merged in.

    Neither argument is changed. Paths new to the document follow its own, in the fragment's
    order; an operation of the fragment replaces the document's on the same path and method.
    """
    merged = copy.deepcopy(document)
    paths = merged.setdefault("paths", {})
    for path, item in fragment.get("paths", {}).items():
        _place(paths, path, copy.deepcopy(item))
    _merge_components(merged.setdefault("components", {}),
                      copy.deepcopy(fragment.get("components", {})))
    _merge_tags(merged, fragment)
    return merged
