"""fastbackend.yaml, the compiler's part: `schema`, `models` (paths, exposure, field roles),
`api` (the API's title, version, description and servers), `events` (docs/events.md) and the
per-route rate-limit policies, `operations.rate_limit.routes` (docs/operations.md: the REST
contract's, recorded on the routes; the rest of `operations` is the runtime's).

The file is read by the one reader both sides share (fastbackend_contract.config); the runtime
reads `auth`, `cors`, `limits` and `headers` from it. Nothing from the environment is read
here: `${VAR}` values are the runtime's, so no secret can reach the IR or the OpenAPI file.

Every mistake is a ConfigError (exit 2) at the file, line and column of the wrong key or value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend_contract import config as shared
from fastbackend_contract.config import CONFIG_FILE, TOP_LEVEL, Document, Path_
from fastbackend_ir import EVENT_OPERATIONS, EventDestination, Events

__all__ = ["CONFIG_FILE", "TOP_LEVEL", "ConfigError", "Document", "ModelConfig", "SearchConfig",
           "events",
           "models", "parse", "rate_limit_routes", "read"]

MODEL_KEYS = ("path", "expose", "read_only", "operations", "fields", "search", "aggregate",
              "soft_delete")
SEARCH_KEYS = ("fields", "language")
DEFAULT_LANGUAGE = "english"
LANGUAGE = re.compile(r"^[a-z][a-z_]*$")  # a text search configuration's name, never SQL
OPERATIONS = ("list", "read", "create", "update", "replace", "delete")
ROLES = ("hidden", "write_only", "read_only", "visible")


class ConfigError(CompileError):
    """A wrong fastbackend.yaml: the CLI exits 2 (a configuration error), not 3."""


def _error(file: str, line: int, column: int, code: str, message: str) -> ConfigError:
    return ConfigError([Diagnostic(file, line, column, code, message)])


@dataclass(frozen=True)
class SearchConfig:
    """`models.<Model>.search`: the fields full-text search reads, and its language."""

    fields: tuple[str, ...]
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class ModelConfig:
    path: str | None = None
    expose: bool = True
    operations: tuple[str, ...] | None = None  # None: the IR's (all of them)
    fields: dict[str, str] = field(default_factory=dict)  # field -> role
    search: SearchConfig | None = None
    aggregate: tuple[str, ...] = ()  # fields declared groupable and aggregatable, indexed or not
    soft_delete: str | None = None  # the nullable timestamp field DELETE stamps (passes/soft_delete.py)
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
                       search=_search(document, (*path, "search"), values.get("search")),
                       aggregate=_names(document, (*path, "aggregate"), values.get("aggregate")),
                       soft_delete=_field_name(document, (*path, "soft_delete"),
                                               values.get("soft_delete")),
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
    if value.startswith("/_"):  # the server's own paths (POST /_batch): never a resource's
        raise document.error(path, "FB402", "a resource path cannot start with /_: those are "
                             "the server's own (/_batch, the atomic batch)")
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


def _field_name(document: Document, path: Path_, value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value.isidentifier()):
        return value
    raise document.error(path, "FB402", f"{'.'.join(map(str, path))} must be a field's name")


def _roles(document: Document, path: Path_, raw: Any) -> dict[str, str]:
    roles = _mapping(document, path, raw)
    for name, role in roles.items():
        if role not in ROLES:
            raise document.error((*path, name), "FB402",
                                 f"{role!r} is not a field role; known: " + ", ".join(ROLES))
    return roles


def _search(document: Document, path: Path_, raw: Any) -> SearchConfig | None:
    """`search: [title, body]`, or `search: {fields: [title, body], language: simple}`."""
    if raw is None:
        return None
    values = {"fields": raw} if isinstance(raw, list) else _mapping(document, path, raw)
    _known_keys(document, path, values, SEARCH_KEYS)
    names = values.get("fields")
    fields_path = path if isinstance(raw, list) else (*path, "fields")
    if (not isinstance(names, list) or not names
            or not all(isinstance(name, str) for name in names)
            or len(set(names)) != len(names)):
        raise document.error(fields_path, "FB402",
                             "search fields must be a list of distinct field names")
    language = values.get("language", DEFAULT_LANGUAGE)
    if not isinstance(language, str) or not LANGUAGE.match(language):
        raise document.error((*path, "language"), "FB402",
                             "search language must be a text search configuration's name, "
                             "such as english, simple or french")
    return SearchConfig(tuple(names), language)


EVENT_KEYS = ("destinations", "models", "delivery", "realtime")
REALTIME_KEYS = ("models", "heartbeat_seconds", "retention_seconds", "retention_rows")
DELIVERY_KEYS = ("max_attempts", "backoff_seconds", "max_backoff_seconds")
# Per destination type: the keys it takes and those it requires (besides url or url_env).
DESTINATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "webhook": (("secret_env",), ("secret_env",)),
    "redis": (("stream",), ("stream",)),
    "nats": (("subject",), ("subject",)),
    "rabbitmq": (("exchange", "routing_key"), ("routing_key",)),
}
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def events(document: Document) -> Events | None:
    """The `events` section, checked for shape (model names are checked against the IR by
    passes/events.py). Off by default: no section, no events."""
    raw = document.data.get("events")
    if raw is None:
        return None
    section = _mapping(document, ("events",), raw)
    _known_keys(document, ("events",), section, EVENT_KEYS)
    path = ("events", "destinations")
    declared = _mapping(document, path, section.get("destinations"))
    destinations = {name: _destination(document, (*path, name), value)
                    for name, value in declared.items()}
    realtime, timing = _realtime(document, section.get("realtime"))
    if not destinations and not realtime:
        raise document.error(path, "FB408", "events needs at least one destination "
                             "(or a realtime feed: events.realtime.models)")
    models_path = ("events", "models")
    models_ = _mapping(document, models_path, section.get("models"))
    subscriptions = {name: _subscription(document, (*models_path, name), value, destinations)
                     for name, value in models_.items()}
    delivery = _mapping(document, ("events", "delivery"), section.get("delivery"))
    _known_keys(document, ("events", "delivery"), delivery, DELIVERY_KEYS)
    numbers = {key: _positive(document, ("events", "delivery", key), delivery[key],
                              key == "max_attempts")
               for key in DELIVERY_KEYS if key in delivery}
    numbers.update(timing)
    return Events(destinations=destinations, entities=subscriptions, realtime=realtime,
                  **numbers)


def _realtime(document: Document, raw: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """``events.realtime: {models: [Post, ...], heartbeat_seconds: 15, retention_seconds:
    86400, retention_rows: 100000}``: the entities with a realtime feed (GET {path}/changes),
    sorted (model names are checked by passes/events.py), and the numbers given."""
    path = ("events", "realtime")
    section = _mapping(document, path, raw)
    _known_keys(document, path, section, REALTIME_KEYS)
    names = section.get("models", [])
    if (not isinstance(names, list) or not all(isinstance(name, str) for name in names)
            or len(set(names)) != len(names) or (raw is not None and not names)):
        raise document.error((*path, "models") if "models" in section else path, "FB402",
                             "events.realtime.models must be a list of distinct model names")
    numbers = {key: _positive(document, (*path, key), section[key], key == "retention_rows")
               for key in REALTIME_KEYS[1:] if key in section}
    return tuple(sorted(names)), numbers


def _destination(document: Document, path: Path_, raw: Any) -> EventDestination:
    values = _mapping(document, path, raw)
    kind = values.get("type")
    if kind not in DESTINATIONS:
        raise document.error((*path, "type") if "type" in values else path, "FB408",
                             f"{path[-1]}: type must be one of " + ", ".join(DESTINATIONS))
    keys, required = DESTINATIONS[kind]
    _known_keys(document, path, values, ("type", "url", "url_env", *keys))
    if ("url" in values) == ("url_env" in values):
        raise document.error(path, "FB408", f"destination {path[-1]!r} needs exactly one of url "
                             "or url_env (the name of the variable holding its URL)")
    for key in required:
        if key not in values:
            raise document.error(path, "FB408", f"a {kind} destination needs {key}")
    for key in ("url_env", "secret_env"):
        if key in values and not (isinstance(values[key], str) and ENV_NAME.match(values[key])):
            raise document.error((*path, key), "FB408", f"{key} is the NAME of an environment "
                                 "variable (such as HOOK_SECRET), not its value")
    for key in ("url", *keys):
        if key in values and not isinstance(values[key], str):
            raise document.error((*path, key), "FB402", f"{key} must be a string")
    return EventDestination(name=str(path[-1]), kind=kind, url=values.get("url"),
                            url_env=values.get("url_env"), secret_env=values.get("secret_env"),
                            stream=values.get("stream"), subject=values.get("subject"),
                            exchange=values.get("exchange"), routing_key=values.get("routing_key"))


def _subscription(document: Document, path: Path_, raw: Any,
                  destinations: dict[str, EventDestination]) -> dict[str, tuple[str, ...]]:
    """`{destination: all | [operations]}` -> operation -> destinations, in declared order."""
    chosen: dict[str, list[str]] = {}
    for name, operations in _mapping(document, path, raw).items():
        if name not in destinations:
            raise document.error((*path, name), "FB408", f"unknown destination {name!r}; "
                                 "declared: " + ", ".join(destinations), at_key=True)
        if operations == "all":
            operations = list(EVENT_OPERATIONS)
        if not isinstance(operations, list) or not operations:
            raise document.error((*path, name), "FB402", "a destination takes `all` or a list "
                                 "of operations: " + ", ".join(EVENT_OPERATIONS))
        for i, operation in enumerate(operations):
            if operation not in EVENT_OPERATIONS:
                raise document.error((*path, name, i), "FB402", f"{operation!r} is not an event "
                                     "operation; known: " + ", ".join(EVENT_OPERATIONS))
            if name not in chosen.setdefault(operation, []):
                chosen[operation].append(name)
    return {op: tuple(chosen[op]) for op in EVENT_OPERATIONS if op in chosen}


def _positive(document: Document, path: Path_, value: Any, whole: bool) -> Any:
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value <= 0:
        raise document.error(path, "FB402", f"{path[-1]} must be a "
                             + ("whole number of at least 1" if whole else "number above 0"))
    return value


@dataclass(frozen=True)
class RoutePolicy:
    """`"POST /posts": {requests: 10, window_seconds: 60}`: the route's own bucket."""

    method: str
    path: str
    requests: int
    window_seconds: float


ROUTES_PATH: tuple[str, ...] = ("operations", "rate_limit", "routes")


def rate_limit_routes(document: Document) -> dict[str, RoutePolicy]:
    """`operations.rate_limit.routes`, checked for shape, by key as written (passes/
    rate_limits.py checks each names a route of the API)."""
    section: Any = document.data
    for depth, key in enumerate(ROUTES_PATH):
        section = _mapping(document, ROUTES_PATH[:depth], section).get(key)
    found = {}
    for name, raw in _mapping(document, ROUTES_PATH, section).items():
        method, _, path = str(name).partition(" ")
        if not path.startswith("/") or not method.isalpha():
            raise document.error((*ROUTES_PATH, name), "FB402",
                                 f"{name!r} is not a method and a route such as 'POST /posts'",
                                 at_key=True)
        values = _mapping(document, (*ROUTES_PATH, name), raw)
        _known_keys(document, (*ROUTES_PATH, name), values, ("requests", "window_seconds"))
        if "requests" not in values or "window_seconds" not in values:
            raise document.error((*ROUTES_PATH, name), "FB402", f"{name!r} needs requests "
                                 "(at least 1) and window_seconds (above 0)", at_key=True)
        requests = _positive(document, (*ROUTES_PATH, name, "requests"), values["requests"], True)
        window = _positive(document, (*ROUTES_PATH, name, "window_seconds"),
                           values["window_seconds"], False)
        found[name] = RoutePolicy(method.upper(), path, requests, float(window))
    return found


def read(folder: Path) -> Document | None:
    path = folder / CONFIG_FILE
    if not path.is_file():
        return None
    return parse(path.read_text("utf-8"), CONFIG_FILE)
