"""Friendly, named messages for syntax errors: Prisma's wording, then a hint naming the rule.

Prisma's errors are per line and depend on the enclosing block; a small scan of the lines above
the error finds that block. The hint comes from a table of line shapes that break the line-based
rules (the equivalent of lark's match_examples, for a language whose errors are whole lines).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_BLOCK_START = re.compile(r"^\s*(model|view|type|enum|datasource|generator)\s+\S+\s*\{")
_BLOCK_END = re.compile(r"^\s*\}")

_MESSAGES = {
    None: "This line is invalid. It does not start with any known Prisma schema keyword.",
    "model": "This line is not a valid field or attribute definition.",
    "view": "This line is not a valid field or attribute definition.",
    "type": "This line is not a valid field or attribute definition.",
    "enum": "This line is not an enum value definition.",
    "datasource": "This line is not a valid definition within a datasource.",
    "generator": "This line is not a valid definition within a generator.",
}


def _unbalanced(line: str) -> bool:
    text = re.sub(r'"([^"\\]|\\.)*"', '""', line)
    return text.count("(") > text.count(")") or text.count("[") > text.count("]")


# (name, test on the offending line, hint); the first match wins.
HINTS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("byte-order-mark", lambda line: line.startswith("\ufeff"),
     "The file starts with a UTF-8 byte-order mark; save it without one."),
    ("unterminated-string", lambda line: len(re.findall(r'(?<!\\)"', line)) % 2 == 1,
     "A string is not closed on this line (strings cannot span lines)."),
    ("single-quotes", lambda line: "'" in line and '"' not in line,
     "Strings use double quotes."),
    ("multi-line-arguments", _unbalanced,
     "Attribute arguments, arrays and function calls must fit on one line."),
    ("brace-on-next-line", lambda line: line.strip().startswith("{"),
     "`{` must end the line that names the block (`model User {`)."),
    ("block-without-brace", lambda line: bool(re.match(
        r"^\s*(model|view|type|enum|datasource|generator)\s+\S+\s*$", line)),
     "`{` must end the line that names the block (`model User {`)."),
    ("brace-after-declaration", lambda line: line.rstrip().endswith("}") and bool(
        line.strip()[:-1].strip()),
     "`}` must be on a line of its own."),
    ("field-attribute-alone", lambda line: bool(re.match(r"^\s*@[^@]", line)),
     "Field attributes go on the field's own line; block attributes start with `@@`."),
    ("leading-underscore", lambda line: bool(re.match(r"^\s*_", line)),
     "Names cannot start with `_`; keep such a column name with `@map(\"_name\")`."),
)


def enclosing_block(text: str, line: int) -> str | None:
    """The kind of block that line ``line`` (1-based) sits in, or None at the top level."""
    kind: str | None = None
    for content in text.split("\n")[: line - 1]:
        opened = _BLOCK_START.match(content)
        if opened:
            kind = opened.group(1)
        elif _BLOCK_END.match(content):
            kind = None
    return kind


def hint(line: str) -> str | None:
    return next((text for _name, test, text in HINTS if test(line)), None)


def syntax_message(text: str, line: int) -> str:
    lines = text.split("\n")
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    kind = enclosing_block(text, line)
    if _BLOCK_START.match(current) or _BLOCK_END.match(current):
        kind = None
    message = _MESSAGES.get(kind, _MESSAGES[None])
    extra = hint(current)
    return f"{message} {extra}" if extra else message
