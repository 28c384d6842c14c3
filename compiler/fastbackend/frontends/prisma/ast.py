"""The syntax tree of a Prisma schema: frozen dataclasses, each carrying its source span.

The transformer builds these from lark's tree; validation and lowering read only these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias


@dataclass(frozen=True)
class Span:
    """Where a node starts in its file: 1-based line and column."""

    file: str
    line: int
    column: int


@dataclass(frozen=True)
class StringValue:
    value: str
    span: Span


@dataclass(frozen=True)
class NumberValue:
    text: str
    span: Span


@dataclass(frozen=True)
class PathValue:
    """A bare identifier or a dotted path: `Cascade`, `true`, `addr.street`."""

    parts: tuple[str, ...]
    span: Span

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class FunctionValue:
    name: str
    arguments: tuple[Argument, ...]
    span: Span
    trailing_comma: bool = False


@dataclass(frozen=True)
class ArrayValue:
    items: tuple[Expression, ...]
    span: Span


Expression: TypeAlias = StringValue | NumberValue | PathValue | FunctionValue | ArrayValue


@dataclass(frozen=True)
class Argument:
    """`value`, `name: value`, or `name:` (empty, an error Prisma reports)."""

    name: str | None
    value: Expression | None
    span: Span


@dataclass(frozen=True)
class Attribute:
    """`@name(args)` on a field or enum value, `@@name(args)` on a block."""

    name: str
    arguments: tuple[Argument, ...]
    span: Span
    has_parentheses: bool = False
    trailing_comma: bool = False

    def named(self, key: str) -> Argument | None:
        for argument in self.arguments:
            if argument.name == key:
                return argument
        return None


Modifier: TypeAlias = Literal["required", "optional", "list", "optional_list", "legacy_required"]


@dataclass(frozen=True)
class FieldType:
    name: str
    modifier: Modifier
    span: Span
    unsupported: str | None = None
    legacy_list: bool = False


@dataclass(frozen=True)
class FieldDecl:
    name: str
    type: FieldType | None
    attributes: tuple[Attribute, ...]
    span: Span
    colon: bool = False
    documentation: str | None = None

    def attribute(self, name: str) -> Attribute | None:
        for attribute in self.attributes:  # a loop, not next(genexpr): asked very often
            if attribute.name == name:
                return attribute
        return None


@dataclass(frozen=True)
class EnumValueDecl:
    name: str
    attributes: tuple[Attribute, ...]
    span: Span
    documentation: str | None = None


@dataclass(frozen=True)
class ConfigEntry:
    key: str
    value: Expression | None
    span: Span


BlockKind: TypeAlias = Literal["model", "view", "type", "enum", "datasource", "generator"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    name: str
    span: Span
    name_span: Span
    fields: tuple[FieldDecl, ...] = ()
    values: tuple[EnumValueDecl, ...] = ()
    entries: tuple[ConfigEntry, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    documentation: str | None = None
    alias: bool = False

    def attribute(self, name: str) -> Attribute | None:
        for attribute in self.attributes:  # a loop, not next(genexpr): asked very often
            if attribute.name == name:
                return attribute
        return None

    def field(self, name: str) -> FieldDecl | None:
        """The field of that name; a declaration without a type (an error) does not count."""
        return next((f for f in self.fields if f.name == name and f.type is not None), None)


@dataclass(frozen=True)
class Comment:
    """A `///` or `/* */` comment: documentation for the node it precedes or trails."""

    text: str
    span: Span
    end_line: int
    alone: bool
    kind_doc: bool = True
    raw: str = ""
    indent: str = ""
    after_brace: bool = False


@dataclass(frozen=True)
class SchemaFile:
    path: str
    blocks: tuple[Block, ...]
    text: str = field(repr=False, default="")


@dataclass(frozen=True)
class Schema:
    files: tuple[SchemaFile, ...]

    @property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(block for file in self.files for block in file.blocks)
