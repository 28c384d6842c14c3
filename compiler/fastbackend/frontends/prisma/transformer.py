"""lark tree -> ast: a typed Transformer; every node keeps its span, docs are attached per block."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from lark import Token, Transformer, v_args
from lark.tree import Meta

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.comments import CommentIndex, join_docs
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.session import ParseSession

_MODIFIERS: dict[str, ast.Modifier] = {"?": "optional", "!": "legacy_required"}


class ToAst(Transformer[Token, list[ast.Block]]):
    """Builds ast nodes; file, comments and problems come from the parse session.

    String escape errors are collected in the session's problems, never raised.
    """

    def __init__(self, state: ParseSession) -> None:
        super().__init__(visit_tokens=False)
        self.file = state.file
        self.comments: CommentIndex = state.comments
        self.problems: list[Problem] = state.problems

    def _span(self, item: Token | Meta) -> ast.Span:
        return ast.Span(self.file, item.line or 1, item.column or 1)

    # -- blocks -------------------------------------------------------------------------------
    def start(self, children: list[ast.Block]) -> list[ast.Block]:
        return children

    @v_args(meta=True)
    def model(self, meta: Meta, children: list[Any]) -> ast.Block:
        return self._member_block("model", meta, children)

    @v_args(meta=True)
    def view(self, meta: Meta, children: list[Any]) -> ast.Block:
        return self._member_block("view", meta, children)

    @v_args(meta=True)
    def composite(self, meta: Meta, children: list[Any]) -> ast.Block:
        return self._member_block("type", meta, children)

    @v_args(meta=True)
    def enum(self, meta: Meta, children: list[Any]) -> ast.Block:
        name, _open, *members = children
        values, attributes = self._with_docs(meta.line, members)
        return ast.Block("enum", str(name), self._span(meta), self._span(name),
                         values=tuple(v for v in values if isinstance(v, ast.EnumValueDecl)),
                         attributes=attributes, documentation=self._block_docs(meta.line))

    @v_args(meta=True)
    def datasource(self, meta: Meta, children: list[Any]) -> ast.Block:
        return self._config_block("datasource", meta, children)

    @v_args(meta=True)
    def generator(self, meta: Meta, children: list[Any]) -> ast.Block:
        return self._config_block("generator", meta, children)

    @v_args(meta=True)
    def type_alias(self, meta: Meta, children: list[Any]) -> ast.Block:
        return ast.Block("type", str(children[0]), self._span(meta), self._span(children[0]),
                         alias=True)

    def _member_block(self, kind: ast.BlockKind, meta: Meta, children: list[Any]) -> ast.Block:
        name, _open, *members = children
        fields, attributes = self._with_docs(meta.line, members)
        return ast.Block(kind, str(name), self._span(meta), self._span(name),
                         fields=tuple(f for f in fields if isinstance(f, ast.FieldDecl)),
                         attributes=attributes, documentation=self._block_docs(meta.line))

    def _config_block(self, kind: ast.BlockKind, meta: Meta, children: list[Any]) -> ast.Block:
        name, _open, *entries = children
        return ast.Block(kind, str(name), self._span(meta), self._span(name),
                         entries=tuple(entries), documentation=self._block_docs(meta.line))

    def _block_docs(self, line: int) -> str | None:
        return join_docs(self.comments.docs_before_block(line))

    def _with_docs(
        self, block_line: int, members: list[Any]
    ) -> tuple[list[ast.FieldDecl | ast.EnumValueDecl], tuple[ast.Attribute, ...]]:
        """Attach docs: everything since the previous declaration, plus a trailing comment."""
        declarations: list[ast.FieldDecl | ast.EnumValueDecl] = []
        attributes: list[ast.Attribute] = []
        previous = block_line
        for member in members:
            line = member.span.line
            if isinstance(member, ast.Attribute):
                attributes.append(member)
            else:
                docs = self.comments.docs_between(previous, line) + self.comments.trailing(line)
                declarations.append(replace(member, documentation=join_docs(docs)))
            previous = line
        return declarations, tuple(attributes)

    # -- members ------------------------------------------------------------------------------
    @v_args(meta=True)
    def field(self, meta: Meta, children: list[Any]) -> ast.FieldDecl:
        name, *rest = children
        colon = bool(rest) and rest[0] == "colon"
        if colon:
            rest = rest[1:]
        field_type = rest[0] if rest and isinstance(rest[0], ast.FieldType) else None
        attributes = tuple(item for item in rest if isinstance(item, ast.Attribute))
        return ast.FieldDecl(str(name), field_type, attributes, self._span(meta), colon=colon)

    def colon(self, _children: list[Any]) -> str:
        return "colon"

    @v_args(meta=True)
    def field_type(self, meta: Meta, children: list[Any]) -> ast.FieldType:
        base: tuple[str, str | None] = children[0]
        modifier: ast.Modifier = children[1] if len(children) > 1 else "required"
        return ast.FieldType(base[0], modifier, self._span(meta), unsupported=base[1])

    @v_args(meta=True)
    def legacy_list_type(self, meta: Meta, children: list[Any]) -> ast.FieldType:
        base: tuple[str, str | None] = children[0]
        return ast.FieldType(base[0], "list", self._span(meta), base[1], legacy_list=True)

    def base_type(self, children: list[Any]) -> tuple[str, str | None]:
        item = children[0]
        return item if isinstance(item, tuple) else (str(item), None)

    def unsupported(self, children: list[Token]) -> tuple[str, str | None]:
        return ("Unsupported", self._unescape(children[0]))

    def modifier(self, children: list[Token]) -> ast.Modifier:
        return _MODIFIERS.get(str(children[0]), "list")

    def optional_list(self, _children: list[Token]) -> ast.Modifier:
        return "optional_list"

    @v_args(meta=True)
    def enum_value(self, meta: Meta, children: list[Any]) -> ast.EnumValueDecl:
        name, *attributes = children
        return ast.EnumValueDecl(str(name), tuple(attributes), self._span(meta))

    @v_args(meta=True)
    def config_entry(self, meta: Meta, children: list[Any]) -> ast.ConfigEntry:
        value = children[1] if len(children) > 1 else None
        return ast.ConfigEntry(str(children[0]), value, self._span(meta))

    # -- attributes and expressions -----------------------------------------------------------
    @v_args(meta=True)
    def field_attribute(self, meta: Meta, children: list[Any]) -> ast.Attribute:
        return self._attribute(meta, children)

    @v_args(meta=True)
    def block_attribute(self, meta: Meta, children: list[Any]) -> ast.Attribute:
        return self._attribute(meta, children)

    def _attribute(self, meta: Meta, children: list[Any]) -> ast.Attribute:
        name = str(children[0]).replace(" ", "")
        arguments: tuple[tuple[ast.Argument, ...], bool] | None = (
            children[1] if len(children) > 1 else None
        )
        args, trailing = arguments if arguments is not None else ((), False)
        return ast.Attribute(name, args, self._span(meta), arguments is not None, trailing)

    def arguments(self, children: list[Any]) -> tuple[tuple[ast.Argument, ...], bool]:
        trailing = any(child == "trailing_comma" for child in children)
        args = tuple(c for c in children if isinstance(c, ast.Argument))
        return args, trailing

    def trailing_comma(self, _children: list[Any]) -> str:
        return "trailing_comma"

    @v_args(meta=True)
    def positional(self, meta: Meta, children: list[Any]) -> ast.Argument:
        return ast.Argument(None, children[0], self._span(meta))

    @v_args(meta=True)
    def named(self, meta: Meta, children: list[Any]) -> ast.Argument:
        return ast.Argument(str(children[0]), children[1], self._span(meta))

    @v_args(meta=True)
    def empty_named(self, meta: Meta, children: list[Any]) -> ast.Argument:
        return ast.Argument(str(children[0]), None, self._span(meta))

    def string(self, children: list[Token]) -> ast.StringValue:
        return ast.StringValue(self._unescape(children[0]), self._span(children[0]))

    def number(self, children: list[Token]) -> ast.NumberValue:
        return ast.NumberValue(str(children[0]), self._span(children[0]))

    @v_args(meta=True)
    def path(self, meta: Meta, children: list[Token]) -> ast.PathValue:
        return ast.PathValue(tuple(str(c) for c in children), self._span(meta))

    @v_args(meta=True)
    def function(self, meta: Meta, children: list[Any]) -> ast.FunctionValue:
        args, trailing = children[1]
        return ast.FunctionValue(str(children[0]), args, self._span(meta), trailing)

    @v_args(meta=True)
    def array(self, meta: Meta, children: list[Any]) -> ast.ArrayValue:
        return ast.ArrayValue(tuple(c for c in children if c is not None), self._span(meta))

    def _unescape(self, token: Token) -> str:
        """Prisma's escapes are JSON's; anything else is located and reported."""
        try:
            value: str = json.loads(str(token))
        except ValueError:
            self.problems.append(Problem(
                self._span(token), "FB201",
                "Unknown escape sequence or control character in string. If the value is a "
                "windows-style path, `\\` must be escaped as `\\\\`.",
            ))
            return str(token)[1:-1]
        return value
