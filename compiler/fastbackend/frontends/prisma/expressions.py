"""Attribute argument values as Prisma names, prints and parses them.

Values may nest a thousand arrays deep (Prisma's engine accepts that and reports it), so nothing
here recurses: a value is printed with an explicit stack and cut at a readable length.
"""

from __future__ import annotations

import re

from fastbackend.frontends.prisma import ast

# Prisma's `describe_value_type`: the word for each kind of value in "received ... value".
_KINDS: dict[type, str] = {
    ast.StringValue: "string", ast.NumberValue: "numeric", ast.PathValue: "literal",
    ast.FunctionValue: "functional", ast.ArrayValue: "array",
}
MAX_PRINTED = 80


def kind_of(value: ast.Expression) -> str:
    return _KINDS[type(value)]


def render(value: ast.Expression, limit: int = MAX_PRINTED) -> str:
    """The value as written (strings quoted, arrays bracketed), `...` after ``limit`` characters."""
    out: list[str] = []
    size = 0
    stack: list[ast.Expression | str] = [value]
    while stack and size <= limit:
        item = stack.pop()
        piece = item if isinstance(item, str) else _opening(item, stack)
        out.append(piece)
        size += len(piece)
    text = "".join(out)
    return text if len(text) <= limit and not stack else text[:limit] + "..."


def _opening(value: ast.Expression, stack: list[ast.Expression | str]) -> str:
    """What ``value`` prints before its children; pushes the children and the closing text."""
    if isinstance(value, ast.StringValue):
        return '"' + value.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, ast.NumberValue | ast.PathValue):
        return value.text
    if isinstance(value, ast.ArrayValue):
        _push_items(stack, [[item] for item in value.items], "]")
        return "["
    _push_items(stack, [_argument(a) for a in value.arguments], ")")
    return value.name + "("


def _argument(argument: ast.Argument) -> list[ast.Expression | str]:
    """`value`, `name: value` or `name:`, as pieces for the stack."""
    if argument.value is None:
        return [f"{argument.name}:"]
    return [argument.value] if argument.name is None else [f"{argument.name}: ", argument.value]


def _push_items(stack: list[ast.Expression | str], items: list[list[ast.Expression | str]],
                closing: str) -> None:
    """Push ``items`` (each a run of pieces), comma-separated as Prisma prints them (`[a,b]`,
    `f(a, b)`), so they pop in order."""
    stack.append(closing)
    separator = "," if closing == "]" else ", "
    for index in range(len(items) - 1, -1, -1):
        stack.extend(reversed(items[index]))
        if index:
            stack.append(separator)


_INTEGER = re.compile(r"(-?)0*(\d+)")


def integer(text: str, low: int, high: int) -> int | None:
    """``text`` as an integer in [low, high], as Rust parses a number (leading zeros allowed), or
    None: not an integer, or out of range. A 5,000-digit number is never converted (Python
    refuses to, and no Prisma integer is that long)."""
    found = _INTEGER.fullmatch(text)
    if found is None or len(found.group(2)) > 20:
        return None
    value = int(found.group(1) + found.group(2))
    return value if low <= value <= high else None


def i64(text: str) -> int | None:
    return integer(text, -(2**63), 2**63 - 1)


def u32(text: str) -> int | None:
    return integer(text, 0, 2**32 - 1)
