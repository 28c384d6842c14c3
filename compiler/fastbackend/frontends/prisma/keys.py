"""Index-like attributes as Prisma's index walkers see them: one `Key` per `@id`, `@@id`,
`@unique`, `@@unique`, `@@index` and `@@fulltext`, with its fields and their per-field options.

Validation rules read these records instead of re-walking attribute arguments each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.connectors import OPERATOR_CLASSES
from fastbackend.frontends.prisma.expressions import i64
from fastbackend.frontends.prisma.symbols import SymbolTable, field_items

KeyKind = Literal["id", "unique", "normal", "fulltext"]
_BLOCK_KINDS: dict[str, KeyKind] = {"id": "id", "unique": "unique", "index": "normal",
                                    "fulltext": "fulltext"}


@dataclass(frozen=True)
class KeyField:
    """One field of a key, with `sort:`, `length:` and `ops:` as written (`ops` is a class name,
    or None; `raw` tells `ops: raw("...")`)."""

    name: str
    decl: ast.FieldDecl | None
    sort: str | None = None
    length: int | None = None  # None also for a negative length, which Prisma ignores
    ops: str | None = None
    raw: bool = False
    native: str | None = None  # the native type's name (`VarChar` for `@db.VarChar(10)`)
    native_arguments: tuple[str, ...] = ()

    @property
    def has_ops(self) -> bool:
        return self.raw or self.ops is not None


@dataclass(frozen=True)
class Key:
    attribute: ast.Attribute
    kind: KeyKind
    on_field: bool  # `@unique` on the field rather than `@@unique([...])` on the block
    fields: tuple[KeyField, ...]
    algorithm: str | None = None  # `type: Gin`, as written

    @property
    def label(self) -> str:
        """`@@index`, `@unique`: how Prisma names the attribute in its messages."""
        return ("@" if self.on_field else "@@") + self.attribute.name

    def incompatible(self, native: str, connector: str, guide: str = "") -> str:
        """Prisma's message for a native type this kind of key cannot use."""
        if self.kind == "unique":
            return f"Native type `{native}` cannot be unique in {connector}.{guide}"
        if self.kind == "id":
            return (f"Native type `{native}` of {connector} cannot be used on a field that is "
                    f"`@id` or `@@id`.{guide}")
        return (f"You cannot define an index on fields with native type `{native}` of "
                f"{connector}.{guide}")


def block_keys(block: ast.Block, symbols: SymbolTable) -> list[Key]:
    """Every key of a model or view: field attributes first, then block attributes."""
    keys = [_field_key(block, decl, attribute, symbols) for decl in block.fields
            for attribute in decl.attributes if attribute.name in ("id", "unique")]
    keys += [_block_key(block, attribute, symbols) for attribute in block.attributes
             if attribute.name in _BLOCK_KINDS]
    return keys


def _field_key(
    block: ast.Block, decl: ast.FieldDecl, attribute: ast.Attribute, symbols: SymbolTable
) -> Key:
    options = _named_options(attribute.arguments)
    field = _key_field(block, decl.name, options, symbols)
    return Key(attribute, "id" if attribute.name == "id" else "unique", True, (field,))


def _block_key(block: ast.Block, attribute: ast.Attribute, symbols: SymbolTable) -> Key:
    fields = []
    for item in field_items(attribute):
        if isinstance(item, ast.PathValue):
            fields.append(_key_field(block, item.text, {}, symbols))
        elif isinstance(item, ast.FunctionValue):
            options = _named_options(item.arguments)
            fields.append(_key_field(block, item.name, options, symbols))
    kind = attribute.named("type")
    algorithm = kind.value.text if kind and isinstance(kind.value, ast.PathValue) else None
    return Key(attribute, _BLOCK_KINDS[attribute.name], False, tuple(fields), algorithm)


def _key_field(
    block: ast.Block, name: str, options: dict[str, ast.Expression | None],
    symbols: SymbolTable,
) -> KeyField:
    decl = block.field(name)
    sort = options.get("sort")
    ops = options.get("ops")
    native = native_type(decl, symbols) if decl is not None else None
    return KeyField(
        name=name, decl=decl,
        sort=sort.text if isinstance(sort, ast.PathValue) else None,
        length=index_length(options.get("length")),
        # An unknown class name is reported on its own (FB205); no rule judges it further.
        ops=ops.text if isinstance(ops, ast.PathValue) and ops.text in OPERATOR_CLASSES else None,
        raw=isinstance(ops, ast.FunctionValue),
        native=native[0] if native else None,
        native_arguments=native[1] if native else (),
    )


def _named_options(arguments: tuple[ast.Argument, ...]) -> dict[str, ast.Expression | None]:
    return field_options(arguments)


def field_options(arguments: tuple[ast.Argument, ...]) -> dict[str, ast.Expression | None]:
    """A key field's named options (`sort:`, `length:`, `ops:`); when one is repeated, the first
    counts, as in Prisma. Positional arguments are ignored, as Prisma ignores them."""
    found: dict[str, ast.Expression | None] = {}
    for argument in arguments:
        if argument.name is not None:
            found.setdefault(argument.name, argument.value)
    return found


def index_length(value: ast.Expression | None) -> int | None:
    """`length: 10`: an i64 that is not negative (Prisma ignores a negative one)."""
    number = i64(value.text) if isinstance(value, ast.NumberValue) else None
    return number if number is not None and number >= 0 else None


def native_type(decl: ast.FieldDecl, symbols: SymbolTable) -> tuple[str, tuple[str, ...]] | None:
    """`@db.VarChar(10)` -> ("VarChar", ("10",)), for the datasource's own prefix only."""
    if symbols.datasource_name is None:
        return None
    prefix = f"{symbols.datasource_name}."
    for attribute in decl.attributes:
        if attribute.name.startswith(prefix):
            arguments = tuple(a.value.text if isinstance(a.value, ast.NumberValue | ast.PathValue)
                              else "" for a in attribute.arguments)
            return attribute.name[len(prefix):], arguments
    return None
