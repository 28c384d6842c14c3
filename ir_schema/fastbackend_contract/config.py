"""fastbackend.yaml, read once for the compiler and the runtime: plain data plus the position
of every value, `${VAR}` substitution, and the limits of the contract's table.

The compiler reads `schema`, `models` and `api` from the Document and records its decisions in
the IR; the runtime reads `auth`, `cors`, `limits`, `headers` and `operations` at startup.
Both import this module (neither may import the other). `${VAR}` (or `${VAR:-default}`) is
replaced only where a Section is given an environment, which the runtime does at startup and
the compiler never does: secrets never reach the IR or the OpenAPI file.

Every mistake is an error at the file, line and column of the wrong key or value, of the type
the caller asks for (``make_error``): the compiler's is a diagnostic (exit 2), the runtime's a
ConfigError.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fastbackend_contract.limits import Number, from_environment
from fastbackend_contract.tables import LIMITS, Limit

CONFIG_FILE = "fastbackend.yaml"
COMPILER_KEYS = ("schema", "models", "api", "events", "database")
RUNTIME_KEYS = ("auth", "cors", "limits", "headers", "operations")
TOP_LEVEL = (*COMPILER_KEYS, *RUNTIME_KEYS)
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")  # ${VAR}, ${VAR:-default}
Path_ = tuple[str | int, ...]
Marks = dict[Path_, tuple[int, int]]


class ConfigError(Exception):
    """`fastbackend.yaml:LINE:COL: error FB4xx: message`."""

    def __init__(self, file: str, line: int, column: int, code: str, message: str) -> None:
        super().__init__(f"{file}:{line}:{column}: error {code}: {message}")
        self.file, self.line, self.column, self.code = file, line, column, code
        self.message = message


MakeError = Callable[[str, int, int, str, str], Exception]
"""(file, line, column, code, message) -> the exception to raise."""


@dataclass(frozen=True)
class Document:
    """Plain YAML data plus the position of every value (and key), keyed by its path."""

    file: str
    data: Any
    marks: Marks
    key_marks: Marks
    make_error: MakeError = ConfigError

    def error(self, path: Path_, code: str, message: str, *, at_key: bool = False) -> Exception:
        """An error at the value of ``path`` (or at its key), else at its nearest parent."""
        return self.make_error(self.file, *self.position(path, at_key), code, message)

    def position(self, path: Path_, at_key: bool = False) -> tuple[int, int]:
        if at_key and path in self.key_marks:
            return self.key_marks[path]
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))

    def get(self, path: Path_) -> Any:
        value = self.data
        for part in path:
            value = value[part]
        return value


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


def parse(text: str, file: str = CONFIG_FILE, make_error: MakeError = ConfigError) -> Document:
    """The document, its top-level keys checked (each side checks its own sections)."""
    marks: Marks = {}
    key_marks: Marks = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise make_error(file, line, column, "FB404", f"not valid YAML: {error.problem}") from None
    data = {} if node is None else _plain(node, (), marks, key_marks)
    document = Document(file, data, marks, key_marks, make_error)
    if not isinstance(data, dict):
        raise document.error((), "FB402", "fastbackend.yaml must be a mapping of keys")
    known_keys(document, (), data, TOP_LEVEL)
    return document


def known_keys(document: Document, path: Path_, mapping: Mapping[str, Any],
               known: tuple[str, ...]) -> None:
    for key in mapping:
        if key not in known:
            where = ".".join(str(p) for p in path)
            raise document.error((*path, key), "FB401", f"unknown key {key!r}"
                                 + (f" in {where}" if where else "")
                                 + "; known: " + ", ".join(sorted(known)), at_key=True)


def read(path: Path, make_error: MakeError = ConfigError) -> Document:
    return parse(path.read_text("utf-8"), path.name, make_error)


def empty(file: str = CONFIG_FILE) -> Document:
    """The document of a project without fastbackend.yaml: every section at its defaults."""
    return Document(file, {}, {}, {})


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


def environment(folder: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment wins over .env, as docker and twelve-factor tools expect."""
    return {**dotenv(folder), **(os.environ if environ is None else environ)}


def substitute(document: Document, path: Path_, value: str, environ: Mapping[str, str]) -> str:
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


# Limits ------------------------------------------------------------------------------------
def limits(section: Section) -> dict[str, Number]:
    """Every limit of the table, by key: its environment variable (or an alias) when set, else
    the section's (fastbackend.yaml's `limits`) value, else its default."""
    section.check_keys({limit.key: limit.unit for limit in LIMITS})
    return {limit.key: _limit(section, limit) for limit in LIMITS}


def _limit(section: Section, limit: Limit) -> Number:
    found = from_environment(limit, section.environ)
    if found is not None:
        return found
    where = (*section.path, limit.key)
    if limit.unit == "seconds":
        seconds: Number = section.value(limit.key, (int, float), "a number of seconds",
                                        limit.default)
        if seconds <= 0:
            raise section.document.error(where, "FB402",
                                         f"limits.{limit.key} must be more than 0 seconds")
        return float(seconds)
    what = "a number of bytes" if limit.unit == "bytes" else "a number"
    value: int = section.value(limit.key, int, what, limit.default)
    if value < 1:
        raise section.document.error(where, "FB402", f"limits.{limit.key} must be at least 1")
    return value
