"""The schema's symbol table: blocks by name, the datasource, and field classification."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.types import PROVIDERS, SCALARS

FieldKind = Literal["scalar", "enum", "composite", "relation", "unsupported", "unknown"]


@dataclass
class SymbolTable:
    models: dict[str, ast.Block] = field(default_factory=dict)
    enums: dict[str, ast.Block] = field(default_factory=dict)
    composites: dict[str, ast.Block] = field(default_factory=dict)
    datasources: list[ast.Block] = field(default_factory=list)
    generators: list[ast.Block] = field(default_factory=list)

    @property
    def datasource(self) -> ast.Block | None:
        return self.datasources[0] if self.datasources else None

    @property
    def datasource_name(self) -> str | None:
        source = self.datasource
        return source.name if source is not None else None

    @property
    def provider(self) -> str | None:
        source = self.datasource
        if source is None:
            return None
        for entry in source.entries:
            if entry.key == "provider" and isinstance(entry.value, ast.StringValue):
                return PROVIDERS.get(entry.value.value)
        return None

    @property
    def preview_features(self) -> set[str]:
        found: set[str] = set()
        for generator in self.generators:
            entry = self.config(generator, "previewFeatures")
            if entry is not None and isinstance(entry.value, ast.ArrayValue):
                found.update(i.value for i in entry.value.items if isinstance(i, ast.StringValue))
        return found

    @property
    def relation_mode(self) -> str:
        source = self.datasource
        entry = None
        if source is not None:
            entry = self.config(source, "relationMode") or self.config(source, "referentialIntegrity")
        if entry is not None and isinstance(entry.value, ast.StringValue):
            return entry.value.value
        return "prisma" if self.provider == "mongodb" else "foreignKeys"

    def config(self, block: ast.Block, key: str) -> ast.ConfigEntry | None:
        return next((e for e in block.entries if e.key == key), None)

    def kind_of(self, decl: ast.FieldDecl) -> FieldKind:
        if decl.type is None:
            return "unknown"
        name = decl.type.name
        if decl.type.unsupported is not None:
            return "unsupported"
        if name in SCALARS:
            return "scalar"
        if name in self.enums:
            return "enum"
        if name in self.composites:
            return "composite"
        if name in self.models:
            return "relation"
        return "unknown"

    def relation_fields(self, model: ast.Block) -> list[ast.FieldDecl]:
        return [f for f in model.fields if self.kind_of(f) == "relation"]


def build_symbols(schema: ast.Schema) -> SymbolTable:
    table = SymbolTable()
    for block in schema.blocks:
        if block.kind in ("model", "view"):
            table.models.setdefault(block.name, block)
        elif block.kind == "enum":
            table.enums.setdefault(block.name, block)
        elif block.kind == "type" and not block.alias:
            table.composites.setdefault(block.name, block)
        elif block.kind == "datasource":
            table.datasources.append(block)
        elif block.kind == "generator":
            table.generators.append(block)
    return table


def is_ignored(block: ast.Block) -> bool:
    return block.attribute("ignore") is not None


def string_argument(attribute: ast.Attribute | None, key: str) -> str | None:
    """The string value of a named argument, or of the first positional one for key=None-less."""
    if attribute is None:
        return None
    for argument in attribute.arguments:
        if argument.name == key and isinstance(argument.value, ast.StringValue):
            return argument.value.value
    return None


def positional_or(attribute: ast.Attribute | None, key: str) -> ast.Expression | None:
    """The argument bound to parameter ``key``: named, or the first positional one."""
    if attribute is None:
        return None
    named = attribute.named(key)
    if named is not None:
        return named.value
    positional = [a for a in attribute.arguments if a.name is None]
    return positional[0].value if positional else None


def list_items(value: ast.Expression | None) -> tuple[ast.Expression, ...]:
    """A list argument's items. A single value stands for a one-item list, as Prisma reads
    `@@index(orgId)` or `fields: authorId`."""
    if value is None:
        return ()
    return value.items if isinstance(value, ast.ArrayValue) else (value,)


def field_items(attribute: ast.Attribute | None) -> tuple[ast.Expression, ...]:
    """The items of an `@@id`/`@@unique`/`@@index`/`@@fulltext` field list."""
    return list_items(positional_or(attribute, "fields"))


def name_list(value: ast.Expression | None) -> tuple[str, ...]:
    """`[a, b(sort: Desc)]` -> ("a", "b"); a single name is a one-element list. Items that are not
    names (a string, a number, a nested list: errors reported elsewhere) are left out."""
    return tuple(item.text if isinstance(item, ast.PathValue) else item.name
                 for item in list_items(value)
                 if isinstance(item, ast.PathValue | ast.FunctionValue))
