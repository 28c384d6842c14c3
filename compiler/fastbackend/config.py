"""fastbackend.yaml, the compiler's part: `schema`, `models` (paths, exposure, field roles) and
`api` (the API's title, version, description and servers).

The runtime reads the same file for `auth`, `cors`, `limits` and `headers` (it cannot import the
compiler, nor the compiler an adapter, so each side reads its own keys and knows the other's
top-level keys by name). Nothing from the environment is read here: `${VAR}` values are the
runtime's, so no secret can reach the IR or the OpenAPI file.

Every mistake is a ConfigError (exit 2) at the file, line and column of the wrong key or value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fastbackend.diagnostics import CompileError, Diagnostic

CONFIG_FILE = "fastbackend.yaml"
TOP_LEVEL = ("schema", "models", "api", "auth", "cors", "limits", "headers")
MODEL_KEYS = ("path", "expose", "read_only", "operations", "fields")
OPERATIONS = ("list", "read", "create", "update", "replace", "delete")
ROLES = ("hidden", "write_only", "read_only", "visible")
Path_ = tuple[str | int, ...]
Marks = dict[Path_, tuple[int, int]]


class ConfigError(CompileError):
    """A wrong fastbackend.yaml: the CLI exits 2 (a configuration error), not 3."""


@dataclass(frozen=True)
class ModelConfig:
    path: str | None = None
    expose: bool = True
    operations: tuple[str, ...] | None = None  # None: the IR's (all of them)
    fields: dict[str, str] = field(default_factory=dict)  # field -> role
    location: tuple[str, int, int] = ("", 1, 1)


@dataclass(frozen=True)
class Document:
    file: str
    data: Any
    marks: Marks
    key_marks: Marks

    def error(self, path: Path_, code: str, message: str, at_key: bool = False) -> ConfigError:
        line, column = self.position(path, at_key)
        return ConfigError([Diagnostic(self.file, line, column, code, message)])

    def position(self, path: Path_, at_key: bool = False) -> tuple[int, int]:
        if at_key and path in self.key_marks:
            return self.key_marks[path]
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1  # PyYAML counts from 0


def _plain(node: yaml.Node, path: Path_, marks: Marks, key_marks: Marks) -> Any:
    marks[path] = _position(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(yaml.safe_load(yaml.serialize(key_node)))
            key_marks[(*path, key)] = _position(key_node)
            result[key] = _plain(value_node, (*path, key), marks, key_marks)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*path, i), marks, key_marks) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def parse(text: str, file: str = CONFIG_FILE) -> Document:
    marks: Marks = {}
    key_marks: Marks = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise ConfigError([Diagnostic(file, line, column, "FB404",
                                      f"not valid YAML: {error.problem}")]) from None
    data = {} if node is None else _plain(node, (), marks, key_marks)
    document = Document(file, data, marks, key_marks)
    if not isinstance(data, dict):
        raise document.error((), "FB402", "fastbackend.yaml must be a mapping of keys")
    _known_keys(document, (), data, TOP_LEVEL)
    return document


def _known_keys(document: Document, path: Path_, mapping: dict[str, Any],
                known: tuple[str, ...]) -> None:
    for key in mapping:
        if key not in known:
            where = ".".join(str(p) for p in path)
            raise document.error((*path, key), "FB401", f"unknown key {key!r}"
                                 + (f" in {where}" if where else "")
                                 + "; known: " + ", ".join(sorted(known)), at_key=True)


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
