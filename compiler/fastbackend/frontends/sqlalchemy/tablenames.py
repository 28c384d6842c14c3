"""A mapped class's table name: ``__tablename__`` as written (a literal, or ``cls.__name__`` in a
declared_attr), or the name a library derives (Flask-SQLAlchemy 3 and advanced-alchemy: the class
name in snake_case; SQLModel: lower case), and single-table inheritance where the library decides
it (Flask-SQLAlchemy: a subclass without a primary key of its own shares its parent's table)."""

from __future__ import annotations

import re

from fastbackend.frontends.sqlalchemy import codes
from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.classes import MappedClass
from fastbackend.frontends.sqlalchemy.context import Context
from fastbackend.frontends.sqlalchemy.scope import CLS

# Library classes whose subclasses get snake_case table names derived from the class name.
SNAKE_CASE_TABLES = frozenset({"advanced_alchemy.base.CommonTableAttributes"})


def table_name(ctx: Context, cls: MappedClass) -> str | None:
    """The class's own table, or None for single-table inheritance (and when not static)."""
    if cls.flavor == "flask" and cls.parent is not None and not _has_own_primary_key(cls):
        return None  # Flask-SQLAlchemy's __table_cls__: no primary key, the parent's table
    own = cls.fact.attribute("__tablename__")
    found = (own, cls.fact) if own is not None else (
        None if cls.parent is not None else cls.lookup("__tablename__"))
    if found is not None and found[0] is not None:
        attribute, owner = found
        name = _evaluate_name(attribute.value, cls.name)
        if name is None:
            ctx.error(ctx.module(owner), attribute.pos, codes.NOT_STATIC,
                      f"the table name of {cls.name} cannot be known statically")
        return name
    if cls.flavor == "flask":
        return _snake(cls.name)
    if cls.flavor == "sqlmodel" and cls.parent is None:
        return cls.name.lower()
    if any(a.qname in SNAKE_CASE_TABLES for a in cls.ancestry.classes):
        return None if _polymorphic_parent(cls) else _snake(cls.name)
    return None


def _polymorphic_parent(cls: MappedClass) -> bool:
    """advanced-alchemy: a subclass of a class with ``polymorphic_on`` shares its table."""
    if cls.parent is None:
        return False
    for ancestor in cls.ancestry.classes:
        args = ancestor.attribute("__mapper_args__")
        value = args.value if args is not None else None
        if isinstance(value, v.Mapping) and value.get("polymorphic_on") is not None:
            return True
    return False


def _evaluate_name(value: v.Value | None, class_name: str) -> str | None:
    """A literal, or ``cls.__name__`` / ``cls.__name__.lower()`` in a declared_attr."""
    if isinstance(value, v.Lit) and isinstance(value.value, str):
        return value.value
    if isinstance(value, v.Ref) and value.qname == f"{CLS}.__name__":
        return class_name
    if isinstance(value, v.Call) and isinstance(value.func, v.Ref) and not value.args:
        methods = {"lower": str.lower, "upper": str.upper}
        base, _, method = value.func.qname.rpartition(".")
        if base == f"{CLS}.__name__" and method in methods:
            return methods[method](class_name)
    return None


def _has_own_primary_key(cls: MappedClass) -> bool:
    for attribute in cls.fact.attributes:
        value = attribute.value
        if isinstance(value, v.Call) and v.literal_bool(value.kwarg("primary_key")) is True:
            return True
    return False


def _snake(name: str) -> str:
    """Flask-SQLAlchemy's implicit table name (its camel_to_snake_case)."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower().lstrip("_")


