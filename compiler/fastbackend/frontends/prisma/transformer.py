"""lark rules -> ast: a typed Transformer that runs inside the LALR parser (no tree is built).

Each node's span comes from its first token (keywords, `@`, `[` are named terminals for that).
Docs are attached when a block is reduced: by then the lexer has collected every comment before
the block's closing brace. Per-parse state (file, comments, problems) is the current session.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from lark import Token, Transformer

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.comments import join_docs
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.session import current

_MODIFIERS: dict[str, ast.Modifier] = {"?": "optional", "!": "legacy_required"}
Member = ast.FieldDecl | ast.EnumValueDecl | ast.Attribute


def _span(token: Token) -> ast.Span:
    return ast.Span(current().file, token.line or 1, token.column or 1)


class ToAst(Transformer[Token, list[ast.Block]]):
    """Builds ast nodes; string escape errors are collected as problems, never raised."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)

    # -- blocks -------------------------------------------------------------------------------
    def start(self, children: list[ast.Block]) -> list[ast.Block]:
        return children

    def model(self, children: list[Any]) -> ast.Block:
        return _member_block("model", children)

    def view(self, children: list[Any]) -> ast.Block:
        return _member_block("view", children)

    def composite(self, children: list[Any]) -> ast.Block:
        return _member_block("type", children)

    def enum(self, children: list[Any]) -> ast.Block:
        keyword, name, _open, *members = children
        values, attributes = _with_docs(keyword.line, members)
        return ast.Block("enum", str(name), _span(keyword), _span(name),
                         values=tuple(v for v in values if isinstance(v, ast.EnumValueDecl)),
                         attributes=attributes, documentation=_block_docs(keyword.line))

    def datasource(self, children: list[Any]) -> ast.Block:
        return _config_block("datasource", children)

    def generator(self, children: list[Any]) -> ast.Block:
        return _config_block("generator", children)

    def type_alias(self, children: list[Any]) -> ast.Block:
        return ast.Block("type", str(children[1]), _span(children[0]), _span(children[1]),
                         alias=True)

    # -- members ------------------------------------------------------------------------------
    def field(self, children: list[Any]) -> ast.FieldDecl:
        name, *rest = children
        colon = bool(rest) and rest[0] == "colon"
        if colon:
            rest = rest[1:]
        field_type = rest[0] if rest and isinstance(rest[0], ast.FieldType) else None
        attributes = tuple(item for item in rest if isinstance(item, ast.Attribute))
        return ast.FieldDecl(str(name), field_type, attributes, _span(name), colon=colon)

    def colon(self, _children: list[Any]) -> str:
        return "colon"

    def field_type(self, children: list[Any]) -> ast.FieldType:
        name, unsupported, span = children[0]
        modifier: ast.Modifier = children[1] if len(children) > 1 else "required"
        return ast.FieldType(name, modifier, span, unsupported=unsupported)

    def legacy_list_type(self, children: list[Any]) -> ast.FieldType:
        name, unsupported, _span_of_name = children[1]
        return ast.FieldType(name, "list", _span(children[0]), unsupported, legacy_list=True)

    def base_type(self, children: list[Any]) -> tuple[str, str | None, ast.Span]:
        item = children[0]
        return item if isinstance(item, tuple) else (str(item), None, _span(item))

    def unsupported(self, children: list[Token]) -> tuple[str, str | None, ast.Span]:
        return ("Unsupported", _unescape(children[1]), _span(children[0]))

    def modifier(self, children: list[Token]) -> ast.Modifier:
        return _MODIFIERS.get(str(children[0]), "list")

    def optional_list(self, _children: list[Token]) -> ast.Modifier:
        return "optional_list"

    def enum_value(self, children: list[Any]) -> ast.EnumValueDecl:
        name, *attributes = children
        return ast.EnumValueDecl(str(name), tuple(attributes), _span(name))

    def config_entry(self, children: list[Any]) -> ast.ConfigEntry:
        value = children[1] if len(children) > 1 else None
        return ast.ConfigEntry(str(children[0]), value, _span(children[0]))

    # -- attributes and expressions -----------------------------------------------------------
    def field_attribute(self, children: list[Any]) -> ast.Attribute:
        return _attribute(children)

    def block_attribute(self, children: list[Any]) -> ast.Attribute:
        return _attribute(children)

    def arguments(self, children: list[Any]) -> tuple[tuple[ast.Argument, ...], bool]:
        trailing = any(child == "trailing_comma" for child in children)
        return tuple(c for c in children if isinstance(c, ast.Argument)), trailing

    def trailing_comma(self, _children: list[Any]) -> str:
        return "trailing_comma"

    def positional(self, children: list[Any]) -> ast.Argument:
        value: ast.Expression = children[0]
        return ast.Argument(None, value, value.span)

    def named(self, children: list[Any]) -> ast.Argument:
        return ast.Argument(str(children[0]), children[1], _span(children[0]))

    def empty_named(self, children: list[Any]) -> ast.Argument:
        return ast.Argument(str(children[0]), None, _span(children[0]))

    def string(self, children: list[Token]) -> ast.StringValue:
        return ast.StringValue(_unescape(children[0]), _span(children[0]))

    def number(self, children: list[Token]) -> ast.NumberValue:
        return ast.NumberValue(str(children[0]), _span(children[0]))

    def path(self, children: list[Token]) -> ast.PathValue:
        return ast.PathValue(tuple(str(c) for c in children), _span(children[0]))

    def function(self, children: list[Any]) -> ast.FunctionValue:
        name: ast.PathValue = children[0]
        args, trailing = children[1]
        return ast.FunctionValue(name.text, args, name.span, trailing)

    def array(self, children: list[Any]) -> ast.ArrayValue:
        items = tuple(c for c in children[1:] if c is not None)
        return ast.ArrayValue(items, _span(children[0]))


def _member_block(kind: ast.BlockKind, children: list[Any]) -> ast.Block:
    keyword, name, _open, *members = children
    fields, attributes = _with_docs(keyword.line, members)
    return ast.Block(kind, str(name), _span(keyword), _span(name),
                     fields=tuple(f for f in fields if isinstance(f, ast.FieldDecl)),
                     attributes=attributes, documentation=_block_docs(keyword.line))


def _config_block(kind: ast.BlockKind, children: list[Any]) -> ast.Block:
    keyword, name, _open, *entries = children
    return ast.Block(kind, str(name), _span(keyword), _span(name),
                     entries=tuple(entries), documentation=_block_docs(keyword.line))


def _block_docs(line: int) -> str | None:
    return join_docs(current().comments.docs_before_block(line))


def _with_docs(
    block_line: int, members: list[Member]
) -> tuple[list[ast.FieldDecl | ast.EnumValueDecl], tuple[ast.Attribute, ...]]:
    """Attach docs: everything since the previous declaration, plus a trailing comment."""
    comments = current().comments
    declarations: list[ast.FieldDecl | ast.EnumValueDecl] = []
    attributes: list[ast.Attribute] = []
    previous = block_line
    for member in members:
        line = member.span.line
        if isinstance(member, ast.Attribute):
            attributes.append(member)
        else:
            docs = comments.docs_between(previous, line) + comments.trailing(line)
            declarations.append(replace(member, documentation=join_docs(docs)))
        previous = line
    return declarations, tuple(attributes)


def _attribute(children: list[Any]) -> ast.Attribute:
    sigil, name, *rest = children
    arguments: tuple[tuple[ast.Argument, ...], bool] | None = rest[0] if rest else None
    args, trailing = arguments if arguments is not None else ((), False)
    return ast.Attribute(str(name), args, _span(sigil), arguments is not None, trailing)


def _unescape(token: Token) -> str:
    """Prisma's escapes are JSON's; anything else is located and reported."""
    try:
        value: str = json.loads(str(token))
        value.encode("utf-8")  # a lone surrogate (`\ud83d` alone) cannot be encoded
    except ValueError:
        current().problems.append(Problem(
            _span(token), "FB201",
            "Unknown escape sequence or control character in string. If the value is a "
            "windows-style path, `\\` must be escaped as `\\\\`.",
        ))
        return str(token)[1:-1]
    return value
