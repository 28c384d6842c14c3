"""Parse one .prisma file into ast blocks, collecting every syntax error (Prisma reports all).

The LALR parser is built once per process. Errors are line-based, as in Prisma's own grammar: the
offending line is reported, blanked (its characters become spaces, so positions do not move) and
the file is parsed again, until it parses or MAX_ERRORS lines have been reported.
"""

from __future__ import annotations

import contextvars
import functools

from fastbackend_grammars import read_grammar
from lark import Lark, Token, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.comments import CommentIndex, is_alone, make_comment, rest_of_line
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.syntax_messages import syntax_message
from fastbackend.frontends.prisma.transformer import ToAst

MAX_ERRORS = 50
_COMMENT_TERMINALS = ("DOC_COMMENT", "LINE_COMMENT", "BLOCK_COMMENT")
_collected: contextvars.ContextVar[list[Token]] = contextvars.ContextVar("prisma_comments")


def _collect(token: Token) -> Token:
    _collected.get().append(token)
    return token


@functools.cache
def build_parser() -> Lark:
    return Lark(
        read_grammar("prisma.lark"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        lexer_callbacks={name: _collect for name in _COMMENT_TERMINALS},
    )


def parse_file(path: str, text: str) -> tuple[ast.SchemaFile, list[Problem]]:
    problems: list[Problem] = []
    current = text
    while True:
        tokens: list[Token] = []
        _collected.set(tokens)
        try:
            tree = build_parser().parse(current)
        except UnexpectedInput as error:
            line, column = _position(error, current)
            problems.append(Problem(ast.Span(path, line, column), "FB200",
                                    syntax_message(current, line)))
            if len(problems) >= MAX_ERRORS or not _has_line(current, line):
                return ast.SchemaFile(path, (), text), problems
            current = _blank_line(current, line)
            continue
        comments, comment_problems = _comments(path, current, tokens)
        transformer = ToAst(path, comments)
        blocks = transformer.transform(tree)
        return (ast.SchemaFile(path, tuple(blocks), text),
                problems + comment_problems + transformer.problems)


def _position(error: UnexpectedInput, text: str) -> tuple[int, int]:
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        return _last_line(text), 1
    line = error.line if error.line and error.line > 0 else _last_line(text)
    column = error.column if error.column and error.column > 0 else 1
    if isinstance(error, UnexpectedCharacters | UnexpectedToken):
        return line, column
    return line, column


def _last_line(text: str) -> int:
    lines = text.splitlines()
    for index in range(len(lines), 0, -1):
        if lines[index - 1].strip():
            return index
    return max(len(lines), 1)


def _line_bounds(text: str, line: int) -> tuple[int, int] | None:
    offset = 0
    for number, content in enumerate(text.splitlines(keepends=True), start=1):
        if number == line:
            return offset, offset + len(content.rstrip("\r\n"))
        offset += len(content)
    return None


def _has_line(text: str, line: int) -> bool:
    bounds = _line_bounds(text, line)
    return bounds is not None and bool(text[bounds[0]:bounds[1]].strip())


def _blank_line(text: str, line: int) -> str:
    bounds = _line_bounds(text, line)
    assert bounds is not None
    start, end = bounds
    return text[:start] + " " * (end - start) + text[end:]


def _comments(path: str, text: str, tokens: list[Token]) -> tuple[CommentIndex, list[Problem]]:
    index = CommentIndex()
    problems: list[Problem] = []
    for token in tokens:
        start = token.start_pos or 0
        span = ast.Span(path, token.line or 1, token.column or 1)
        alone = is_alone(text, start)
        index.comments.append(make_comment(str(token), span, token.end_line or span.line, alone))
        misplaced = token.type == "BLOCK_COMMENT" and rest_of_line(text, token.end_pos or 0).strip()
        if misplaced and not alone:
            problems.append(Problem(span, "FB217",
                                    "This line is not a valid field or attribute definition: "
                                    "a /* */ comment may only end a line."))
    return index, problems
