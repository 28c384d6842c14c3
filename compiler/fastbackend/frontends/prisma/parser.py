"""Parse one .prisma file into ast blocks, collecting every syntax error (Prisma reports all).

The LALR parser is built once per process, with the typed transformer inside it. Errors are
line-based, as in Prisma's own grammar: the offending line is reported, blanked (its characters
become spaces, so positions do not move) and the file is parsed again, until it parses or
MAX_ERRORS lines have been reported.
"""

from __future__ import annotations

import functools

from lark import Lark, UnexpectedInput, UnexpectedToken

from fastbackend.cache_dir import cache_dir, caching_disabled
from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.session import collect_comment, session
from fastbackend.frontends.prisma.syntax_messages import syntax_message
from fastbackend.frontends.prisma.transformer import ToAst
from fastbackend_grammars import read_grammar

MAX_ERRORS = 50
_COMMENT_TERMINALS = ("DOC_COMMENT", "LINE_COMMENT", "BLOCK_COMMENT")


@functools.cache
def build_parser() -> Lark:
    return Lark(
        read_grammar("prisma.lark"),
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=True,
        transformer=ToAst(),
        lexer_callbacks={name: collect_comment for name in _COMMENT_TERMINALS},
        cache=_tables_file(),
    )


def _tables_file() -> str | bool:
    """Lark's cache of the analysed grammar (LALR tables): loading it takes 4 ms where building
    takes 30-40 ms on every compile (issue #19). Lark checks it against a hash of the grammar,
    the options and its own version, and rebuilds it when they differ or it cannot be read. It
    is a pickle, so it lives in the user's own cache folder, never in the shared temp folder."""
    if caching_disabled():
        return False
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return str(folder / "prisma-parser.lark-cache")


def parse_file(path: str, text: str) -> tuple[ast.SchemaFile, list[Problem]]:
    syntax: list[Problem] = []
    # CRLF and lone CR end lines too; as LF they keep every line and column, and lark counts them.
    current = text.replace("\r\n", "\n").replace("\r", "\n")
    while True:
        with session(path, current) as state:
            try:
                blocks: list[ast.Block] = build_parser().parse(current)  # type: ignore[assignment]
            except UnexpectedInput as error:
                line, column = _position(error, current)
                message = (UNCLOSED if _at_end(error) else syntax_message(current, line))
                syntax.append(Problem(ast.Span(path, line, column), "FB200", message))
                if len(syntax) >= MAX_ERRORS or not _has_line(current, line):
                    return ast.SchemaFile(path, (), text), syntax
                current = _blank_line(current, line, column)
                continue
            return ast.SchemaFile(path, tuple(blocks), text), syntax + state.problems


UNCLOSED = ("This line is invalid. It does not start with any known Prisma schema keyword. "
            "The file ends inside a block: close it with `}` on a line of its own.")


def _at_end(error: UnexpectedInput) -> bool:
    return isinstance(error, UnexpectedToken) and error.token.type == "$END"


def _position(error: UnexpectedInput, text: str) -> tuple[int, int]:
    if _at_end(error):
        return _last_line(text), 1
    line = error.line if error.line and error.line > 0 else _last_line(text)
    column = error.column if error.column and error.column > 0 else 1
    return line, column


def _last_line(text: str) -> int:
    lines = text.split("\n")
    for index in range(len(lines), 0, -1):
        if lines[index - 1].strip():
            return index
    return max(len(lines), 1)


def _line_bounds(text: str, line: int) -> tuple[int, int] | None:
    # Only LF ends a line here (the text is normalized), as in lark's line count; str.splitlines
    # would also split on form feeds and U+2028.
    offset = 0
    for number, content in enumerate(text.split("\n"), start=1):
        if number == line:
            return offset, offset + len(content)
        offset += len(content) + 1
    return None


def _has_line(text: str, line: int) -> bool:
    bounds = _line_bounds(text, line)
    return bounds is not None and bool(text[bounds[0]:bounds[1]].strip())


def _blank_line(text: str, line: int, column: int = 1) -> str:
    """Blank the line; on a line that starts with a block's `}`, keep the brace (Prisma reads it,
    then rejects the rest of the line)."""
    bounds = _line_bounds(text, line)
    assert bounds is not None
    start, end = bounds
    closing = text[start:end].lstrip().startswith("}")
    if closing and column > text.index("}", start) - start + 1:
        start = text.index("}", start) + 1
    return text[:start] + " " * (end - start) + text[end:]
