"""fastbackend.yaml's `operations` section: logs, metrics, traces and rate limits.

Every setting is its environment variable when set, else the file's value, else its default
(the rule of the contract's limits, fastbackend_contract/limits.py). Everything that costs
anything per request is off by default; request ids, /livez and /readyz are always on (they
are part of the REST contract). Secrets (a Redis password in its URL, an OTLP header) come
from the environment: `${VAR}` in the file, or the variable itself.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fastbackend_contract.config import Section
from fastbackend_contract.tables import OPERATIONS_BY_KEY

LogFormat = Literal["text", "json"]
ClientKey = Literal["ip", "api_key", "jwt_subject"]
Storage = Literal["memory", "redis"]


@dataclass(frozen=True)
class Setting:
    """One key of the section: its path under `operations`, its variable, type and default."""

    path: tuple[str, ...]
    env: str
    kind: type
    default: Any
    choices: tuple[str, ...] = ()
    meaning: str = ""
    maximum: float | None = None  # a number's highest value, if it has one


KINDS: dict[str, type] = {"flag": bool, "text": str, "whole": int, "number": float}


def _shared(key: str, meaning: str) -> Setting:
    """A key the Express server reads too: its variable, default and choices are the contract's
    (fastbackend_contract.tables.OPERATIONS_SETTINGS), decided once for both servers."""
    row = OPERATIONS_BY_KEY[key]
    return Setting(tuple(key.split(".")), row.env, KINDS[row.kind], row.default, row.choices,
                   meaning, row.maximum)


SETTINGS: tuple[Setting, ...] = (
    _shared("logs.format", "`json`: one JSON object per log line, with the request id"),
    _shared("logs.access", "one line per request: method, route, status, duration, request id"),
    _shared("logs.level", "the runtime's log level (empty: as the server configures logging)"),
    _shared("metrics.enabled", "serve Prometheus metrics at `metrics.path`"),
    _shared("metrics.path", "where the metrics are served"),
    _shared("tracing.enabled", "OpenTelemetry spans for every request and statement"),
    _shared("tracing.service_name", "the `service.name` resource attribute"),
    _shared("tracing.otlp_endpoint",
            "OTLP/HTTP collector base URL (`http://collector:4318`); empty: no export"),
    _shared("tracing.sample_ratio",
            "share of new traces recorded (a caller's `traceparent` decision is kept)"),
    _shared("rate_limit.enabled", "token buckets per client and route"),
    _shared("rate_limit.requests", "a bucket's size: requests a client may send at once"),
    _shared("rate_limit.window_seconds", "seconds to refill a whole bucket"),
    _shared("rate_limit.client", "what identifies a client"),
    _shared("rate_limit.api_key_header", "the header of `client: api_key`"),
    _shared("rate_limit.storage", "`redis`: buckets shared by every instance"),
    _shared("rate_limit.redis_url", "the Redis of `storage: redis`"),
    _shared("rate_limit.key_prefix", "prefix of the Redis keys"),
    Setting(("replicas", "urls"), "DATABASE_REPLICA_URLS", str, "", (),
            "read replicas' URLs, separated by commas; empty: every read on the primary"),
    Setting(("replicas", "max_lag_seconds"), "FASTBACKEND_REPLICA_MAX_LAG_SECONDS", float, 2.0,
            (), "a replica staler than this is skipped"),
    Setting(("replicas", "read_your_writes_seconds"), "FASTBACKEND_READ_YOUR_WRITES_SECONDS",
            float, 5.0, (), "a client's reads go to the primary this long after its write"),
    Setting(("replicas", "check_interval_seconds"), "FASTBACKEND_REPLICA_CHECK_SECONDS", float,
            0.5, (), "how often the replicas' replay positions are checked"),
    Setting(("replicas", "writers"), "FASTBACKEND_READ_YOUR_WRITES_STORE", str, "memory",
            ("memory", "redis"), "`redis`: every instance knows a client's recent write"),
    Setting(("replicas", "redis_url"), "REDIS_URL", str, "redis://127.0.0.1:6379/0", (),
            "the Redis of `writers: redis`"),
    Setting(("replicas", "key_prefix"), "FASTBACKEND_READ_YOUR_WRITES_PREFIX", str,
            "fastbackend:ryw", (), "prefix of its Redis keys"),
)
SECTIONS = ("logs", "metrics", "tracing", "rate_limit", "replicas")
# What a feature switched on imports (the `fastbackend[ops]` extra): checked at start-up.
NEEDS: dict[str, tuple[str, ...]] = {
    "metrics.enabled": ("prometheus_client",),
    "tracing.enabled": ("opentelemetry.sdk", "opentelemetry.instrumentation.fastapi",
                        "opentelemetry.instrumentation.sqlalchemy"),
}


@dataclass(frozen=True)
class Operations:
    """The section's values, by dotted key (``logs.format``). The per-route rate limits
    (`rate_limit.routes`) are the compiler's: it checks them against the API's routes and
    records them on the IR's routes, where both servers read them (IR 1.8)."""

    values: Mapping[str, Any] = field(default_factory=lambda: {
        ".".join(s.path): s.default for s in SETTINGS})

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def from_section(section: Section, taken: frozenset[str] = frozenset()) -> Operations:
    """The `operations` section of fastbackend.yaml, its variables first. ``taken``: the
    resource paths of the API, which `metrics.path` must not hide."""
    section.check_keys(dict.fromkeys(SECTIONS, ""))
    values: dict[str, Any] = {}
    for name in SECTIONS:
        child = section.child(name)
        known = {s.path[1]: s.meaning for s in SETTINGS if s.path[0] == name}
        child.check_keys({**known, **({"routes": ""} if name == "rate_limit" else {})})
    for setting in SETTINGS:
        values[".".join(setting.path)] = _value(section.child(setting.path[0]), setting)
    _check_installed(section, values)
    path = values["metrics.path"]
    if not path.startswith("/") or (values["metrics.enabled"] and path in taken):
        raise section.document.error((*section.path, "metrics", "path"), "FB402",
                                     f"operations.metrics.path {path!r} must be a path of its "
                                     "own (it starts with / and is no resource's path)")
    _check_replicas(section, values)
    return Operations(values)


def replica_urls(config: Operations) -> list[str]:
    return [url.strip() for url in str(config["replicas.urls"]).split(",") if url.strip()]


def _check_replicas(section: Section, values: Mapping[str, Any]) -> None:
    """A caught-up replica's staleness bound reaches the check interval between two checks,
    and read-your-writes holds only when a client stays on the primary as long as a replica
    may lag (database/replicas.py)."""
    where = (*section.path, "replicas")
    if values["replicas.writers"] == "redis" and not replica_urls(Operations(values)):
        raise section.document.error((*where, "writers"), "FB402",
                                     "operations.replicas.writers: redis needs replicas.urls "
                                     "(DATABASE_REPLICA_URLS): without a replica every read is "
                                     "on the primary, and the setting would do nothing")
    lag = values["replicas.max_lag_seconds"]
    if lag <= values["replicas.check_interval_seconds"]:
        raise section.document.error((*where, "max_lag_seconds"), "FB402",
                                     "operations.replicas.max_lag_seconds must be above "
                                     "check_interval_seconds (else no replica is ever fresh)")
    if values["replicas.read_your_writes_seconds"] < lag:
        raise section.document.error((*where, "read_your_writes_seconds"), "FB402",
                                     "operations.replicas.read_your_writes_seconds must be at "
                                     "least max_lag_seconds (else a client may not read its "
                                     "own write)")


def _check_installed(section: Section, values: Mapping[str, Any]) -> None:
    needs = {**NEEDS, **({"rate_limit.enabled": ("redis",)}
                         if values["rate_limit.storage"] == "redis" else {}),
             **({"replicas.writers": ("redis",)} if values["replicas.writers"] == "redis" else {})}
    for key, modules in needs.items():
        missing = [name for name in modules if values[key] and not _installed(name)]
        if missing:
            raise section.document.error((*section.path, *key.split(".")), "FB402",
                                         f"operations.{key} needs {missing[0]}: install the "
                                         "ops extra, pip install 'fastbackend[ops]'")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _value(section: Section, setting: Setting) -> Any:
    key = setting.path[-1]
    raw = section.environ.get(setting.env, "")
    where = (*section.path, key)
    if raw != "":
        value = _parse(setting, raw)
    else:
        value = section.value(key, _accepts(setting.kind), _what(setting), setting.default)
        value = setting.kind(value)
    if setting.choices and value not in setting.choices:
        raise section.document.error(where, "FB402", f"operations.{'.'.join(setting.path)} "
                                     f"must be one of {', '.join(setting.choices)}, not {value!r}")
    if setting.kind in (int, float) and value <= 0:
        raise section.document.error(where, "FB402",
                                     f"operations.{'.'.join(setting.path)} must be above 0")
    if setting.maximum is not None and value > setting.maximum:
        raise section.document.error(where, "FB402", f"operations.{'.'.join(setting.path)} "
                                     f"must be at most {setting.maximum:g}")
    return value


def _parse(setting: Setting, raw: str) -> Any:
    """A variable's text, by the rule of settings.py (booleans 1/0, true/false, yes/no)."""
    if setting.kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{setting.env} must be 1 or 0 (true or false), not {raw!r}")
    try:
        return setting.kind(raw)
    except ValueError:
        raise ValueError(f"{setting.env} must be {_what(setting)}, not {raw!r}") from None


def _accepts(kind: type) -> type | tuple[type, ...]:
    return (int, float) if kind is float else kind


def _what(setting: Setting) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number",
            str: "a string"}[setting.kind]
