"""A project's runtime configuration: fastbackend.yaml's `auth`, `cors`, `limits`, `headers`,
`operations`; without the file, the defaults and the environment variables.

Dependencies are import paths into the project (`app.auth:current_user`, imported with the
project folder on sys.path), checked against the IR: an unknown model, field or operation is a
ConfigError at the line that names it, at startup, not a surprise on the first request.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastbackend_contract.config import CONFIG_FILE, Document, Section, empty, environment, read
from fastbackend_fastapi import security
from fastbackend_fastapi.auth import OPERATIONS, Auth, Dependency, ModelAuth
from fastbackend_fastapi.custom import forget_foreign_modules
from fastbackend_fastapi.operations.config import Operations
from fastbackend_fastapi.operations.config import from_section as operations_from_section
from fastbackend_fastapi.security import PageSizes
from fastbackend_ir import IR


@dataclass(frozen=True)
class ProjectConfig:
    auth: Auth | None = None
    security: security.Security = field(default_factory=security.Security)
    pages: PageSizes = field(default_factory=PageSizes)
    operations: Operations = field(default_factory=Operations)


def load(folder: Path, ir: IR, environ: Mapping[str, str] | None = None) -> ProjectConfig:
    """folder/fastbackend.yaml's runtime keys; defaults when the file is absent. Every limit
    is its environment variable when set, else the file's, else the contract's default."""
    path = folder / CONFIG_FILE
    document = read(path) if path.is_file() else empty()
    root = Section(document, (), environment(folder, environ))
    settings, pages = security.from_config(root)
    return ProjectConfig(auth=_auth(root.child("auth"), folder, ir), security=settings,
                         pages=pages, operations=operations_from_section(
                             root.child("operations"),
                             frozenset(entity.api.path for entity in ir.entities.values())))


def _import(document: Document, where: tuple[str | int, ...], reference: str,
            folder: Path) -> Dependency:
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise document.error(where, "FB405", f"{reference!r} is not an import path such as "
                                             "'app.auth:current_user'")
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    forget_foreign_modules(folder)
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise document.error(where, "FB405", f"cannot import {reference!r}: {error}") from None
    if not callable(found):
        raise document.error(where, "FB405", f"{reference!r} is not callable")
    return found  # type: ignore[no-any-return]


def _dependencies(section: Section, key: str, folder: Path) -> list[Dependency]:
    return [_import(section.document, (*section.path, key, i), reference, folder)
            for i, reference in enumerate(section.strings(key))]


def _auth(section: Section, folder: Path, ir: IR) -> Auth | None:
    if not section.mapping():
        return None
    section.check_keys({"dependencies": "", "models": ""})
    models = section.child("models")
    for name in models.mapping():
        if name not in ir.entities:
            raise section.document.error((*models.path, name), "FB406",
                                         f"auth.models names {name!r}, not a model of the schema",
                                         at_key=True)
    return Auth(dependencies=_dependencies(section, "dependencies", folder),
                models={name: _model(models.child(name), folder, ir, name)
                        for name in models.mapping()})


def _model(section: Section, folder: Path, ir: IR, entity: str) -> ModelAuth:
    section.check_keys({"dependencies": "", "scope": "", "fill": ""})
    fields = {f.name for f in ir.entity(entity).fields}
    return ModelAuth(dependencies=_per_operation(section, folder),
                     scope=_by_field(section.child("scope"), folder, fields),
                     fill=_by_field(section.child("fill"), folder, fields))


def _per_operation(section: Section, folder: Path) -> Any:
    raw = section.mapping().get("dependencies")
    if not isinstance(raw, dict):
        return _dependencies(section, "dependencies", folder)
    operations = section.child("dependencies")
    operations.check_keys(dict.fromkeys((*OPERATIONS, "all"), ""))
    return {name: _dependencies(operations, name, folder) for name in raw}


def _by_field(section: Section, folder: Path, fields: set[str]) -> dict[str, Dependency]:
    found = {}
    for name in section.mapping():
        if name not in fields:
            raise section.document.error((*section.path, name), "FB406",
                                         f"{name!r} is not a field of this model", at_key=True)
        reference = section.value(name, str, "an import path", None)
        found[name] = _import(section.document, (*section.path, name), reference, folder)
    return found
