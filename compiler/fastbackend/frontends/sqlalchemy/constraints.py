"""Table-level declarations: ``__table_args__`` (tuple, tuple ending in a dict, dict), module-level
``Index(...)``, and the naming convention that names what the source leaves unnamed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.facts import ModuleFacts
from fastbackend.frontends.sqlalchemy.names import sa_name

Kind = Literal["unique", "index", "check", "foreign_key", "primary_key"]
KINDS: dict[str, Kind] = {
    "UniqueConstraint": "unique", "Index": "index", "CheckConstraint": "check",
    "ForeignKeyConstraint": "foreign_key", "PrimaryKeyConstraint": "primary_key",
}
SA_DEFAULT_NAMING = {"ix": "ix_%(column_0_label)s"}
# PostgreSQL's max_identifier_length, the strictest of the databases the runtime serves: the IR
# holds one name per constraint, valid on all of them.
MAX_IDENTIFIER = 63


@dataclass(frozen=True)
class ConstraintSpec:
    kind: Kind
    columns: tuple[v.Value, ...]  # as written: "email", User.email, users.c.email, func.lower(...)
    name: str | None
    pos: v.Pos
    module: ModuleFacts
    unique: bool = False
    expression: str | None = None
    referred: tuple[v.Value, ...] = ()
    on_delete: str | None = None
    on_update: str | None = None
    using: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class TableArgs:
    constraints: tuple[ConstraintSpec, ...]
    schema: str | None


def read_table_args(ctx: Context, module: ModuleFacts, value: v.Value | None) -> TableArgs:
    value = ctx.deref(value)
    if value is None:
        return TableArgs((), None)
    items: tuple[v.Value, ...] = ()
    options: v.Mapping | None = None
    if isinstance(value, v.Mapping):
        options = value
    elif isinstance(value, v.Seq):
        items = value.items
        last = items[-1] if items else None
        if isinstance(last, v.Mapping):
            items, options = items[:-1], last
    else:
        ctx.warn(module, value.pos, codes.NOT_STATIC,
                 "__table_args__ cannot be read statically; its constraints are left out")
    constraints = [c for c in (constraint(ctx, module, item) for item in items) if c is not None]
    schema = v.literal_str(options.get("schema")) if options is not None else None
    return TableArgs(tuple(constraints), schema)


def constraint(ctx: Context, module: ModuleFacts, value: v.Value) -> ConstraintSpec | None:
    name = sa_name(ctx.symbols.ref(value)) if isinstance(value, v.Call) else None
    kind = KINDS.get(name or "")
    if kind is None or not isinstance(value, v.Call):
        ctx.warn(module, value.pos, codes.NOT_STATIC,
                 "this table argument is not a constraint the compiler reads; it is left out")
        return None
    args = value.args
    given = v.literal_str(value.kwarg("name"))
    if kind == "index":
        given, args = v.literal_str(args[0]) if args else None, args[1:]
    if kind == "foreign_key":
        return _foreign_key_constraint(module, value, given)
    if kind == "check":
        return _check(ctx, module, value, given)
    return ConstraintSpec(kind, args, given, value.pos, module,
                          unique=v.literal_bool(value.kwarg("unique")) is True,
                          using=v.literal_str(value.kwarg("postgresql_using")),
                          where=_sql_text(ctx, value.kwarg("postgresql_where")))


def _foreign_key_constraint(module: ModuleFacts, call: v.Call, name: str | None
                            ) -> ConstraintSpec:
    columns = v.items_of(call.args[0] if call.args else None)
    referred = v.items_of(call.args[1] if len(call.args) > 1 else call.kwarg("refcolumns"))
    return ConstraintSpec("foreign_key", columns, name, call.pos, module, referred=referred,
                          on_delete=v.literal_str(call.kwarg("ondelete")),
                          on_update=v.literal_str(call.kwarg("onupdate")))


def _check(ctx: Context, module: ModuleFacts, call: v.Call, name: str | None
           ) -> ConstraintSpec | None:
    expression = _sql_text(ctx, call.args[0] if call.args else call.kwarg("sqltext"))
    if expression is None:
        ctx.warn(module, call.pos, codes.NOT_STATIC, "the expression of this CheckConstraint is "
                 "not SQL text the compiler can read; the check is left out")
        return None
    return ConstraintSpec("check", (), name, call.pos, module, expression=expression)


def _sql_text(ctx: Context, value: v.Value | None) -> str | None:
    if isinstance(value, v.Call) and sa_name(ctx.symbols.ref(value)) == "text" and value.args:
        value = value.args[0]
    return v.literal_str(value)


def naming_convention(ctx: Context, metadata: v.Call | None) -> dict[str, str]:
    """``MetaData(naming_convention={...})`` as a plain dict."""
    convention = ctx.deref(metadata.kwarg("naming_convention")) if metadata is not None else None
    if not isinstance(convention, v.Mapping):
        return {}
    return {k.value: val.value for k, val in convention.items
            if isinstance(k, v.Lit) and isinstance(k.value, str)
            and isinstance(val, v.Lit) and isinstance(val.value, str)}


def metadata_call(ctx: Context, value: v.Value | None) -> v.Call | None:
    """The MetaData a Table(...) names: ``Base.metadata`` or a module-level ``MetaData(...)``."""
    if isinstance(value, v.Ref):
        owner, _, attr = ctx.canonical(value.qname).rpartition(".")
        fact = ctx.symbols.classes.get(owner)
        attribute = fact.attribute(attr) if fact is not None else None
        value = attribute.value if attribute is not None else ctx.deref(value)
    value = ctx.deref(value)
    if isinstance(value, v.Call) and sa_name(ctx.symbols.ref(value)) == "MetaData":
        return value
    return None


def apply_convention(naming: dict[str, str], key: str, table: str, columns: list[str],
                     referred_table: str | None = None, given: str | None = None) -> str | None:
    """Name a constraint as SQLAlchemy's naming convention would (``ix_%(column_0_label)s``)."""
    pattern = naming.get(key) or (SA_DEFAULT_NAMING.get(key) if not naming else None)
    if pattern is None or (given is not None and "%(constraint_name)s" not in pattern):
        return given
    if given is None and "%(constraint_name)s" in pattern:
        return None
    tokens = {
        "table_name": table,
        "column_0_name": columns[0] if columns else "",
        "column_0_label": f"{table}_{columns[0]}" if columns else table,
        "column_0_key": columns[0] if columns else "",
        "column_0N_name": "".join(columns),
        "column_0_N_name": "_".join(columns),
        "column_0N_label": "".join(f"{table}_{c}" for c in columns),
        "column_0_N_label": "_".join(f"{table}_{c}" for c in columns),
        "referred_table_name": referred_table or "",
        "constraint_name": given or "",
    }
    return shortened(re.sub(r"%\((\w+)\)s", lambda m: tokens.get(m.group(1), m.group(0)), pattern))


def shortened(name: str) -> str:
    """A naming convention's name as SQLAlchemy's DDL compiler renders it (a `conv` name longer
    than the dialect's max_identifier_length: its start, `_` and the last four hex digits of the
    whole name's MD5). An explicit name is never shortened: SQLAlchemy refuses it instead."""
    if len(name) <= MAX_IDENTIFIER:
        return name
    return f"{name[:MAX_IDENTIFIER - 8]}_{hashlib.md5(name.encode()).hexdigest()[-4:]}"


def too_long(given: str | None, name: str | None) -> bool:
    """Whether ``name`` is the explicit ``given`` name, too long for PostgreSQL."""
    return given is not None and name == given and len(given.encode()) > MAX_IDENTIFIER


def too_long_message(given: str) -> str:
    return (f"the name {given!r} is {len(given.encode())} bytes long; PostgreSQL's identifiers "
            "hold 63 (SQLAlchemy refuses to create it there): choose a shorter name")
