"""Friendly, named messages for syntax errors, worded as Prisma words them.

Prisma's errors are per line and depend on the enclosing block; a small scan of the lines above
the error finds that block (the equivalent of lark's match_examples for a line-based language).
"""

from __future__ import annotations

import re

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


def syntax_message(text: str, line: int) -> str:
    lines = text.split("\n")
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    kind = enclosing_block(text, line)
    if _BLOCK_START.match(current) or _BLOCK_END.match(current):
        kind = None
    return _MESSAGES.get(kind, _MESSAGES[None])
