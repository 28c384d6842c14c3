"""Lower one scalar field declaration to an IR Field."""

from __future__ import annotations

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.defaults import lower_default
from fastbackend.frontends.prisma.lower_constraints import has_key_options
from fastbackend.frontends.prisma.symbols import SymbolTable, positional_or
from fastbackend.frontends.prisma.types import (
    logical_type,
    native_db_type,
    numeric_args,
    unsupported_db_type,
)
from fastbackend_ir import DbType, Field, FieldApi

API_ANNOTATIONS = {"@hidden": "hidden", "@writeOnly": "write_only", "@readOnly": "read_only"}


def split_annotations(doc: str | None) -> tuple[str | None, FieldApi]:
    """`/// @hidden`, `/// @writeOnly` and `/// @readOnly` lines set API roles, not the text."""
    if doc is None:
        return None, FieldApi()
    roles: set[str] = set()
    kept: list[str] = []
    for line in doc.split("\n"):
        words = line.split()
        if words and all(word in API_ANNOTATIONS for word in words):
            roles.update(API_ANNOTATIONS[word] for word in words)
        else:
            kept.append(line)
    api = FieldApi(read_only="read_only" in roles, write_only="write_only" in roles,
                   hidden="hidden" in roles)
    return ("\n".join(kept) if kept else None), api


def native_attribute(decl: ast.FieldDecl, datasource: str | None) -> ast.Attribute | None:
    if datasource is None:
        return None
    prefix = datasource + "."
    return next((a for a in decl.attributes if a.name.startswith(prefix)), None)


def lower_field(decl: ast.FieldDecl, symbols: SymbolTable, primary: set[str]) -> Field:
    assert decl.type is not None
    type_name = decl.type.name
    native = native_attribute(decl, symbols.datasource_name)
    native_name = native.name.split(".", 1)[1] if native else None
    db: DbType | None = None
    if decl.type.unsupported is not None:
        db = unsupported_db_type(decl.type.unsupported)
    elif native is not None and native_name is not None:
        db = native_db_type(native_name, numeric_args(native), symbols.provider)
    kind = symbols.kind_of(decl)
    logical = "enum" if kind == "enum" else "json" if kind == "composite" else (
        "unsupported" if kind == "unsupported" else logical_type(type_name, native_name))
    default, autoincrement = lower_default(positional_or(decl.attribute("default"), "value"),
                                           type_name)
    unique = decl.attribute("unique")
    description, api = split_annotations(decl.documentation)
    return Field(
        name=decl.name,
        column=_mapped_name(decl) or decl.name,
        type=logical or "unsupported",
        enum=type_name if kind == "enum" else None,
        list=decl.type.modifier == "list",
        nullable=decl.type.modifier == "optional",
        primary_key=decl.name in primary,
        autoincrement=autoincrement,
        unique=unique is not None and unique.named("map") is None and not has_key_options(unique),
        default=default,
        updated_at=decl.attribute("updatedAt") is not None,
        db=db,
        api=api,
        description=description,
    )


def _mapped_name(decl: ast.FieldDecl) -> str | None:
    """`@map("x")` or `@map(name: "x")`; `@map("")` is a (strange but accepted) empty name."""
    value = positional_or(decl.attribute("map"), "name")
    return value.value if isinstance(value, ast.StringValue) else None
