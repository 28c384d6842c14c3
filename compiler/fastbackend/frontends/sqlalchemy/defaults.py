"""Defaults: literal, enum member, named generator (``datetime.utcnow``, ``uuid.uuid4``,
``func.now()``) or a server-side SQL expression. Anything else is reported, never guessed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.names import sa_name, sql_function
from fastbackend_ir import (
    Default,
    GeneratorDefault,
    LiteralDefault,
    SqlDefault,
)
from fastbackend_ir.nodes import GeneratorName, LogicalType
from fastbackend_ir.types import JSONValue

# Python callables (and SQL functions) that are named generators in the IR.
GENERATORS: dict[str, GeneratorName] = {
    "datetime.datetime.utcnow": "now",
    "datetime.datetime.now": "now",
    "datetime.datetime.today": "now",
    "uuid.uuid4": "uuid4",
    "uuid.uuid7": "uuid7",
    "uuid_extensions.uuid7": "uuid7",
    "uuid6.uuid7": "uuid7",
    "cuid.cuid": "cuid",
    "cuid2.cuid_wrapper": "cuid2",
    "nanoid.generate": "nanoid",
    "ulid.new": "ulid",
}
SQL_GENERATORS: dict[str, GeneratorName] = {
    "now": "now", "current_timestamp": "now", "localtimestamp": "now", "statement_timestamp": "now",
    "transaction_timestamp": "now", "clock_timestamp": "now", "sysdate": "now", "getdate": "now",
    "gen_random_uuid": "uuid4", "uuid_generate_v4": "uuid4", "uuid": "uuid4",
}
EMPTY_CONTAINERS: dict[str, JSONValue] = {
    "builtins.dict": {}, "builtins.list": [],
}
_SQL_CALL = re.compile(r"^\(?\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\(\s*\))?\s*\)?$")
_QUOTED = re.compile(r"^'((?:[^']|'')*)'(::[A-Za-z_ ]+)?$")


@dataclass(frozen=True)
class NotStatic:
    """A default whose value only running the code would tell; ``what`` names it for the warning."""

    what: str
    pos: v.Pos


def client_default(value: v.Value, canonical: Callable[[str], str], enum_member: str | None
                   ) -> Default | NotStatic | None:
    """``default=...``; ``canonical`` maps Ref qnames to their canonical names."""
    if isinstance(value, v.Lit):
        if value.value is None or isinstance(value.value, bytes):
            return None
        return LiteralDefault(value.value)
    if enum_member is not None:
        return LiteralDefault(enum_member)
    if isinstance(value, v.Lambda):
        return _lambda_default(value, canonical)
    if isinstance(value, v.Ref):
        return _callable_default(value, canonical(value.qname))
    if isinstance(value, v.Call) and isinstance(value.func, v.Ref):
        function = sql_function(canonical(value.func.qname))
        if function is not None:
            return _sql_function_default(function, server=False)
    return NotStatic(_describe(value), value.pos)


def _callable_default(value: v.Ref, qname: str) -> Default | NotStatic:
    if qname in GENERATORS:
        return GeneratorDefault(GENERATORS[qname])
    if qname in EMPTY_CONTAINERS:
        return LiteralDefault(EMPTY_CONTAINERS[qname])
    function = sql_function(qname)
    if function is not None and function.lower() in SQL_GENERATORS:
        return GeneratorDefault(SQL_GENERATORS[function.lower()])
    return NotStatic(f"the function {value.text}", value.pos)


def _lambda_default(value: v.Lambda, canonical: Callable[[str], str]) -> Default | NotStatic:
    body = value.body
    if isinstance(body, v.Lit) and body.value is not None and not isinstance(body.value, bytes):
        return LiteralDefault(body.value)
    if isinstance(body, v.Call) and isinstance(body.func, v.Ref):
        qname = canonical(body.func.qname)
        if qname in GENERATORS:
            return GeneratorDefault(GENERATORS[qname])
    return NotStatic("a lambda", value.pos)


def server_default(value: v.Value, logical: LogicalType, canonical: Callable[[str], str],
                   enum_member: str | None) -> Default | NotStatic | None:
    """``server_default=...``: a string literal, ``text("...")`` or ``func.x()``."""
    if isinstance(value, v.Lit):
        return _server_literal(value.value, logical) if isinstance(value.value, str) else None
    if enum_member is not None:
        return LiteralDefault(enum_member, server=True)
    if isinstance(value, v.Call) and isinstance(value.func, v.Ref):
        qname = canonical(value.func.qname)
        function = sql_function(qname)
        if function is not None and not value.args:
            return _sql_function_default(function, server=True)
        if sa_name(qname) == "text" and value.args and isinstance(value.args[0], v.Lit):
            return _server_sql(str(value.args[0].value), logical)
        if sa_name(qname) in ("true", "false"):
            return LiteralDefault(sa_name(qname) == "true", server=True)
    return NotStatic(_describe(value), value.pos)


def _sql_function_default(function: str, server: bool) -> Default:
    generator = SQL_GENERATORS.get(function.lower())
    if generator is not None:
        return GeneratorDefault(generator, server=server)
    return SqlDefault(f"{function}()")


def _server_literal(text: str, logical: LogicalType) -> Default:
    if logical in ("integer", "bigint") and re.fullmatch(r"-?\d+", text):
        return LiteralDefault(int(text), server=True)
    if logical == "float" and re.fullmatch(r"-?\d+(\.\d+)?", text):
        return LiteralDefault(float(text), server=True)
    if logical == "boolean" and text.lower() in ("true", "false", "1", "0", "t", "f"):
        return LiteralDefault(text.lower() in ("true", "1", "t"), server=True)
    return LiteralDefault(text, server=True)


def _server_sql(sql: str, logical: LogicalType) -> Default:
    """``text("...")``: SQL that means now or a UUID is a generator; a quoted literal a literal."""
    stripped = sql.strip()
    call = _SQL_CALL.match(stripped)
    bare_ok = ("current_timestamp", "localtimestamp")  # SQL keywords that need no parentheses
    if call is not None and call.group(1).lower() in SQL_GENERATORS and (
            call.group(2) or call.group(1).lower() in bare_ok):
        return GeneratorDefault(SQL_GENERATORS[call.group(1).lower()], server=True)
    quoted = _QUOTED.match(stripped)
    if quoted is not None:
        return LiteralDefault(quoted.group(1).replace("''", "'"), server=True)
    if re.fullmatch(r"-?\d+(\.\d+)?", stripped) or stripped.lower() in ("true", "false"):
        return _server_literal(stripped, logical)
    return SqlDefault(stripped)


def is_now(value: v.Value, canonical: Callable[[str], str]) -> bool:
    """``onupdate=func.now()`` / ``datetime.utcnow`` / ``lambda: datetime.now(UTC)``."""
    found = client_default(value, canonical, None)
    return isinstance(found, GeneratorDefault) and found.name == "now"


def _describe(value: v.Value) -> str:
    if isinstance(value, v.Call) and isinstance(value.func, v.Ref):
        return f"the call {value.func.text}(...)"
    if isinstance(value, v.Unknown):
        return f"the expression {value.code}"
    return "this expression"
