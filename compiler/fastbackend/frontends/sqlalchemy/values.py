"""A small, static value model of Python expressions, with names already resolved.

The collector turns libcst expressions into these records once; everything after it (types,
defaults, relationships, lowering) reads values, never CST. Names are resolved to qualified names
(``sqlalchemy.Column``, ``pkg.models.User``) so that spelling does not matter downstream.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, TypeAlias

Scalar: TypeAlias = str | int | float | bool | bytes | None


class Pos:
    """A 1-based line and column (positions.py converts libcst's 0-based columns, in one place).

    A lazy position is computed the first time it is read: only diagnostics read the positions of
    expressions, and computing them is the slowest part of reading a large file.
    """

    __slots__ = ("_column", "_line", "_resolve")

    def __init__(self, line: int, column: int) -> None:
        self._line, self._column = line, column
        self._resolve: Callable[[], tuple[int, int]] | None = None

    @classmethod
    def lazy(cls, resolve: Callable[[], tuple[int, int]]) -> Pos:
        pos = cls(0, 0)
        pos._resolve = resolve
        return pos

    def _force(self) -> None:
        if self._resolve is not None:
            self._line, self._column = self._resolve()
            self._resolve = None

    @property
    def line(self) -> int:
        self._force()
        return self._line

    @property
    def column(self) -> int:
        self._force()
        return self._column

    def __repr__(self) -> str:
        return f"Pos({self.line}, {self.column})"


@dataclass(frozen=True)
class Lit:
    value: Scalar
    pos: Pos


@dataclass(frozen=True)
class Ref:
    """A (dotted) name, resolved to its qualified name; ``text`` is how the source spelled it."""

    qname: str
    text: str
    pos: Pos


@dataclass(frozen=True)
class Call:
    func: Value
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]
    pos: Pos

    def kwarg(self, name: str) -> Value | None:
        for key, value in self.kwargs:
            if key == name:
                return value
        return None

    def has(self, name: str) -> bool:
        return self.kwarg(name) is not None


@dataclass(frozen=True)
class Attr:
    """An attribute of something that is not a plain name (``func.now().op``, ``x().y``)."""

    value: Value
    attr: str
    pos: Pos


@dataclass(frozen=True)
class Seq:
    items: tuple[Value, ...]
    pos: Pos


@dataclass(frozen=True)
class Mapping:
    items: tuple[tuple[Value, Value], ...]
    pos: Pos

    def get(self, key: str) -> Value | None:
        for k, v in self.items:
            if isinstance(k, Lit) and k.value == key:
                return v
        return None


@dataclass(frozen=True)
class Subscript:
    base: Value
    items: tuple[Value, ...]
    pos: Pos


@dataclass(frozen=True)
class Union:
    """``X | Y`` in an annotation."""

    left: Value
    right: Value
    pos: Pos


@dataclass(frozen=True)
class Lambda:
    body: Value
    pos: Pos


@dataclass(frozen=True)
class Compare:
    """``a == b`` (in a primaryjoin); only equality is modelled."""

    left: Value
    right: Value
    pos: Pos


@dataclass(frozen=True)
class BoolOp:
    """``and_(a, b)`` or ``a & b``: a conjunction of comparisons."""

    parts: tuple[Value, ...]
    pos: Pos


@dataclass(frozen=True)
class Unknown:
    """An expression the compiler cannot know statically; ``code`` is its source text."""

    code: str
    pos: Pos


Value: TypeAlias = (
    Lit | Ref | Call | Attr | Seq | Mapping | Subscript | Union | Lambda | Compare | BoolOp | Unknown
)


def call_name(value: Value | None) -> str | None:
    """The qualified name of the function a call calls, if it is a plain (dotted) name."""
    if isinstance(value, Call) and isinstance(value.func, Ref):
        return value.func.qname
    return None


def literal_str(value: Value | None) -> str | None:
    if isinstance(value, Lit) and isinstance(value.value, str):
        return value.value
    return None


def literal_bool(value: Value | None) -> bool | None:
    if isinstance(value, Lit) and isinstance(value.value, bool):
        return value.value
    return None


def literal_int(value: Value | None) -> int | None:
    if isinstance(value, Lit) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    return None


def items_of(value: Value | None) -> tuple[Value, ...]:
    """A list/tuple's items, or a single value as a one-item tuple."""
    if value is None:
        return ()
    if isinstance(value, Seq):
        return value.items
    return (value,)


def rebind(value: Value, qname: str, previous: Value) -> Value:
    """``value`` with the name ``qname`` replaced by ``previous`` (and ``qname.attr`` by an
    attribute of it): what a name meant before the assignment that rebinds it."""
    if isinstance(value, Ref):
        if value.qname == qname:
            return previous
        if value.qname.startswith(f"{qname}."):
            found = previous
            for attr in value.qname[len(qname) + 1:].split("."):
                found = Attr(found, attr, value.pos)
            return found
        return value
    if isinstance(value, Lit | Unknown):
        return value
    changes: dict[str, Any] = {item.name: _rebind_field(getattr(value, item.name), qname, previous)
                               for item in fields(value)}
    return replace(value, **changes)


def relocate(value: Value, pos: Pos) -> Value:
    """``value`` with every part of it at ``pos``: a library's declaration (libraries/), whose
    file the user does not have, reported at the class that inherits it."""
    changes: dict[str, Any] = {item.name: _relocate_field(getattr(value, item.name), pos)
                               for item in fields(value)}
    return replace(value, **changes)


def _relocate_field(current: object, pos: Pos) -> object:
    if isinstance(current, Pos):
        return pos
    if isinstance(current, tuple):
        return tuple(_relocate_field(item, pos) for item in current)
    if isinstance(current, Lit | Ref | Call | Attr | Seq | Mapping | Subscript | Union | Lambda
                  | Compare | BoolOp | Unknown):
        return relocate(current, pos)
    return current


def _rebind_field(current: object, qname: str, previous: Value) -> object:
    if isinstance(current, tuple):
        return tuple(_rebind_field(item, qname, previous) for item in current)
    if isinstance(current, Lit | Ref | Call | Attr | Seq | Mapping | Subscript | Union | Lambda
                  | Compare | BoolOp | Unknown):
        return rebind(current, qname, previous)
    return current
