"""fastbackend.yaml, the runtime's part: auth, cors, limits, headers.

The compiler reads the same file for its part (`schema`, `models`: paths, exposure, field
visibility) and records those decisions in the IR; the runtime cannot import the compiler, so
it reads its own keys here and only knows the compiler's top-level keys by name. `${VAR}` (or
`${VAR:-default}`) is replaced from the environment (then from `.env` beside the file) here, at
startup, and never earlier: secrets never reach the IR or the OpenAPI file.

Every mistake is a ConfigError pointing at the file, line and column of the wrong value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONFIG_FILE = "fastbackend.yaml"
COMPILER_KEYS = frozenset({"schema", "models", "api"})
RUNTIME_KEYS = frozenset({"auth", "cors", "limits", "headers"})
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")  # ${VAR}, ${VAR:-default}
Path_ = tuple[str | int, ...]


class ConfigError(Exception):
    """`fastbackend.yaml:LINE:COL: error FB4xx: message`."""

    def __init__(self, file: str, line: int, column: int, code: str, message: str) -> None:
        super().__init__(f"{file}:{line}:{column}: error {code}: {message}")
        self.file, self.line, self.column, self.code = file, line, column, code


@dataclass(frozen=True)
class Document:
    """Plain YAML data plus the position of every value, keyed by its path."""

    file: str
    data: Any
    marks: dict[Path_, tuple[int, int]]
    key_marks: dict[Path_, tuple[int, int]]

    def error(self, path: Path_, code: str, message: str, *, at_key: bool = False) -> ConfigError:
        """An error at the value of ``path`` (or at its key), else at its nearest parent."""
        if at_key and path in self.key_marks:
            return ConfigError(self.file, *self.key_marks[path], code, message)
        while path not in self.marks and path:
            path = path[:-1]
        line, column = self.marks.get(path, (1, 1))
        return ConfigError(self.file, line, column, code, message)

    def get(self, path: Path_) -> Any:
        value = self.data
        for part in path:
            value = value[part]
        return value


Marks = dict[Path_, tuple[int, int]]


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1  # PyYAML counts from 0


def _plain(node: yaml.Node, path: Path_, marks: Marks, key_marks: Marks) -> Any:
    marks[path] = _position(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
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
        raise ConfigError(file, line, column, "FB404",
                          f"not valid YAML: {error.problem}") from None
    data = {} if node is None else _plain(node, (), marks, key_marks)
    document = Document(file, data, marks, key_marks)
    if not isinstance(data, dict):
        raise document.error((), "FB402", "fastbackend.yaml must be a mapping of keys")
    for key in data:
        if key not in COMPILER_KEYS | RUNTIME_KEYS:
            known = ", ".join(sorted(COMPILER_KEYS | RUNTIME_KEYS))
            raise document.error((key,), "FB401", f"unknown key {key!r}; known: {known}",
                                 at_key=True)
    return document


def read(path: Path) -> Document:
    return parse(path.read_text("utf-8"), path.name)


def dotenv(folder: Path) -> dict[str, str]:
    """KEY=VALUE lines of folder/.env (comments, blank lines and `export` allowed)."""
    found: dict[str, str] = {}
    env_file = folder / ".env"
    if not env_file.is_file():
        return found
    for line in env_file.read_text("utf-8").splitlines():
        line = line.strip().removeprefix("export ").strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            found[name.strip()] = value.strip().strip("'\"")
    return found


def substitute(document: Document, path: Path_, value: str,
               environ: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name not in environ and default is not None:
            return default
        if name not in environ:
            raise document.error(path, "FB403", f"${{{name}}} is not set in the environment "
                                                "or in .env")
        return environ[name]

    return VARIABLE.sub(replace, value)


@dataclass(frozen=True)
class Section:
    """One mapping of the document, checked key by key against a table of expected types."""

    document: Document
    path: Path_
    environ: Mapping[str, str] = field(default_factory=dict)

    def mapping(self) -> dict[str, Any]:
        value = self.document.get(self.path) if self._present() else {}
        if not isinstance(value, dict):
            raise self.document.error(self.path, "FB402", f"{self._name()} must be a mapping")
        return value

    def check_keys(self, allowed: Mapping[str, str]) -> None:
        for key in self.mapping():
            if key not in allowed:
                raise self.document.error((*self.path, key), "FB401",
                                          f"unknown key {key!r} in {self._name()}; known: "
                                          + ", ".join(sorted(allowed)), at_key=True)

    def value(self, key: str, kind: type | tuple[type, ...], what: str, default: Any) -> Any:
        raw = self.mapping().get(key, default)
        if raw is default:
            return default
        if isinstance(raw, str):
            raw = substitute(self.document, (*self.path, key), raw, self.environ)
        if not isinstance(raw, kind) or (isinstance(raw, bool) and bool not in _kinds(kind)):
            raise self.document.error((*self.path, key), "FB402",
                                      f"{self._name()}.{key} must be {what}")
        return raw

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        raw = self.mapping().get(key)
        if raw is None:
            return default
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise self.document.error((*self.path, key), "FB402",
                                      f"{self._name()}.{key} must be a string or a list of them")
        return tuple(substitute(self.document, (*self.path, key, i), item, self.environ)
                     for i, item in enumerate(raw))

    def child(self, key: str) -> Section:
        return Section(self.document, (*self.path, key), self.environ)

    def _present(self) -> bool:
        try:
            self.document.get(self.path)
        except (KeyError, IndexError, TypeError):
            return False
        return True

    def _name(self) -> str:
        return ".".join(str(part) for part in self.path) or "the file"


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def environment(folder: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment wins over .env, as docker and twelve-factor tools expect."""
    return {**dotenv(folder), **(os.environ if environ is None else environ)}
