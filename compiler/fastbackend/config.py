"""fastbackend.yaml, the compiler's part: `schema`, `models` (paths, exposure, field roles) and
`api` (the API's title, version, description and servers).

The file is read by the one reader both sides share (fastbackend_contract.config); the runtime
reads `auth`, `cors`, `limits` and `headers` from it. Nothing from the environment is read
here: `${VAR}` values are the runtime's, so no secret can reach the IR or the OpenAPI file.

Every mistake is a ConfigError (exit 2) at the file, line and column of the wrong key or value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend_contract import config as shared
from fastbackend_contract.config import CONFIG_FILE, TOP_LEVEL, Document, Path_

__all__ = ["CONFIG_FILE", "TOP_LEVEL", "ConfigError", "Document", "ModelConfig", "models", "parse",
           "read"]

MODEL_KEYS = ("path", "expose", "read_only", "operations", "fields", "aggregate")
OPERATIONS = ("list", "read", "create", "update", "replace", "delete")
ROLES = ("hidden", "write_only", "read_only", "visible")


class ConfigError(CompileError):
    """A wrong fastbackend.yaml: the CLI exits 2 (a configuration error), not 3."""


def _error(file: str, line: int, column: int, code: str, message: str) -> ConfigError:
    return ConfigError([Diagnostic(file, line, column, code, message)])


@dataclass(frozen=True)
class ModelConfig:
    path: str | None = None
    expose: bool = True
    operations: tuple[str, ...] | None = None  # None: the IR's (all of them)
    fields: dict[str, str] = field(default_factory=dict)  # field -> role
    aggregate: tuple[str, ...] = ()  # fields declared groupable and aggregatable, indexed or not
    location: tuple[str, int, int] = ("", 1, 1)


def parse(text: str, file: str = CONFIG_FILE) -> Document:
    """The document; its errors (and those of every check below) are ConfigErrors."""
    return shared.parse(text, file, _error)


def _known_keys(document: Document, path: Path_, mapping: dict[str, Any],
                known: tuple[str, ...]) -> None:
    shared.known_keys(document, path, mapping, known)


def _mapping(document: Document, path: Path_, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise document.error(path, "FB402", f"{'.'.join(map(str, path))} must be a mapping")
    return value


def models(document: Document) -> dict[str, ModelConfig]:
    """The `models` section, checked for shape (names are checked against the IR later)."""
    section = _mapping(document, ("models",), document.data.get("models"))
    return {name: _model(document, ("models", name), section[name]) for name in section}


def _model(document: Document, path: Path_, raw: Any) -> ModelConfig:
    values = _mapping(document, path, raw)
    _known_keys(document, path, values, MODEL_KEYS)
    operations = _operations(document, path, values)
    expose = _boolean(document, (*path, "expose"), values.get("expose", True))
    if _boolean(document, (*path, "read_only"), values.get("read_only", False)):
        operations = tuple(op for op in operations or OPERATIONS if op in ("list", "read"))
    line, column = document.position(path, at_key=True)
    return ModelConfig(path=_resource_path(document, (*path, "path"), values.get("path")),
                       expose=expose, operations=operations,
                       fields=_roles(document, (*path, "fields"), values.get("fields")),
                       aggregate=_names(document, (*path, "aggregate"), values.get("aggregate")),
                       location=(document.file, line, column))


def _boolean(document: Document, path: Path_, value: Any) -> bool:
    if not isinstance(value, bool):
        raise document.error(path, "FB402", f"{'.'.join(map(str, path))} must be true or false")
    return value


def _resource_path(document: Document, path: Path_, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("/") or value == "/" or "{" in value:
        raise document.error(path, "FB402", "path must be a resource path such as /people")
    return value.rstrip("/")


def _operations(document: Document, path: Path_, values: dict[str, Any]) -> tuple[str, ...] | None:
    raw = values.get("operations")
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise document.error((*path, "operations"), "FB402", "operations must be a list")
    for i, operation in enumerate(raw):
        if operation not in OPERATIONS:
            raise document.error((*path, "operations", i), "FB402",
                                 f"{operation!r} is not an operation; known: "
                                 + ", ".join(OPERATIONS))
    return tuple(op for op in OPERATIONS if op in raw)


def _names(document: Document, path: Path_, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise document.error(path, "FB402", f"{'.'.join(map(str, path))} must be a list of "
                                            "field names")
    return tuple(raw)


def _roles(document: Document, path: Path_, raw: Any) -> dict[str, str]:
    roles = _mapping(document, path, raw)
    for name, role in roles.items():
        if role not in ROLES:
            raise document.error((*path, name), "FB402",
                                 f"{role!r} is not a field role; known: " + ", ".join(ROLES))
    return roles


def read(folder: Path) -> Document | None:
    path = folder / CONFIG_FILE
    if not path.is_file():
        return None
    return parse(path.read_text("utf-8"), CONFIG_FILE)
