"""Per-parse state shared by the lexer callback and the inline transformer.

The LALR parser is built once per process, with its lexer callbacks; what changes from one parse
to the next lives here, in a context variable.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from lark import Token

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.comments import (
    CommentIndex,
    follows_brace,
    is_alone,
    line_prefix,
    make_comment,
    rest_of_line,
)
from fastbackend.frontends.prisma.problems import Problem


@dataclass
class ParseSession:
    file: str
    text: str
    comments: CommentIndex = field(default_factory=CommentIndex)
    problems: list[Problem] = field(default_factory=list)
    _last_comment: tuple[int, bool] = (-1, False)

    def _after_alone_comment(self, start: int) -> bool:
        """`/* x */ /// y` on a line of its own: the second comment is alone too."""
        end, alone = self._last_comment
        return alone and 0 <= end <= start and not self.text[end:start].strip()

    def add_comment(self, token: Token) -> None:
        start = token.start_pos or 0
        span = ast.Span(self.file, token.line or 1, token.column or 1)
        alone = is_alone(self.text, start) or self._after_alone_comment(start)
        self.comments.add(make_comment(str(token), span, token.end_line or span.line, alone,
                                       line_prefix(self.text, start),
                                       follows_brace(self.text, start)))
        self._last_comment = (token.end_pos or 0, alone)
        trailing = token.type == "BLOCK_COMMENT" and rest_of_line(self.text, token.end_pos or 0)
        if trailing and trailing.strip() and not alone:
            self.problems.append(Problem(span, "FB217", "This line is not a valid field or "
                                         "attribute definition: a /* */ comment may only end a "
                                         "line."))


_current: contextvars.ContextVar[ParseSession] = contextvars.ContextVar("prisma_parse_session")


def current() -> ParseSession:
    return _current.get()


@contextmanager
def session(file: str, text: str) -> Iterator[ParseSession]:
    state = ParseSession(file, text)
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


def collect_comment(token: Token) -> Token:
    current().add_comment(token)
    return token
