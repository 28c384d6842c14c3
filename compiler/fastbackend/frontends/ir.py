"""The IR pseudo front-end: a compiled ir.json as SOURCE, loaded and validated, nothing decided.

Commands that take SOURCE (``migrate``, ``compile --target ...``, ``dev``, ``build``) then work
from an IR alone, as adapters do. The IR's own source map, ``ir.map.json`` beside it, is kept
when there is one. A .json file that is not a valid IR is FB008, at the problem's line where the
text shows it.
"""

from __future__ import annotations

import json
import re

from fastbackend.diagnostics import CompileError, Diagnostic, with_source
from fastbackend.frontends import FrontendResult
from fastbackend.sources import SourceSet, read_source
from fastbackend_ir import IRError, SourceMap, loads, loads_source_map

MAP_FILE = "ir.map.json"
CODE = "FB008"


def compile_sources(sources: SourceSet) -> FrontendResult:
    display = sources.relative(sources.entry)
    text = read_source(sources.entry, display)
    try:
        ir = loads(text, origin=display)
    except IRError as error:
        raise CompileError([_diagnostic(display, text, str(problem), problem.pointer)
                            for problem in error.problems]) from None
    return FrontendResult(ir=ir, source_map=_source_map(sources))


def _diagnostic(display: str, text: str, problem: str, pointer: str) -> Diagnostic:
    line, column = _syntax_position(problem) or _pointer_position(text, pointer)
    message = f"not a valid FastBackend IR: {problem}"
    return with_source(Diagnostic(display, line, column, CODE, message), text)


def _syntax_position(problem: str) -> tuple[int, int] | None:
    """Where json.loads gave up ("... at line L column C"), for a file that is not JSON."""
    found = re.search(r"not JSON \(.* at line (\d+) column (\d+)\)$", problem)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _pointer_position(text: str, pointer: str) -> tuple[int, int]:
    """The line and column of the element ``pointer`` names (its key, in an object), found by
    walking the JSON text; the document's start when it is not there."""
    offset = _walk(text, [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]])
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


_DECODER = json.JSONDecoder()


def _skip(text: str, position: int) -> int:
    """The first position at or after ``position`` that is not JSON whitespace."""
    while text[position:position + 1] in (" ", "\t", "\r", "\n"):
        position += 1
    return position


def _walk(text: str, tokens: list[str]) -> int:
    position = mark = _skip(text, 0)
    for token in tokens:
        found = _member(text, position, token)
        if found is None:
            break
        mark, position = found
    return mark


def _member(text: str, position: int, token: str) -> tuple[int, int] | None:
    """(where the member starts, where its value starts) for key or index ``token``."""
    opening = text[position:position + 1]
    if opening not in ("{", "["):
        return None
    index = 0
    position = _skip(text, position + 1)
    while text[position:position + 1] not in ("}", "]", ""):
        start = position
        if opening == "{":
            key, position = _DECODER.raw_decode(text, position)
            position = _skip(text, _skip(text, position) + 1)  # past the colon
            matched = key == token
        else:
            matched = token == str(index)
        if matched:
            return start, position
        _, position = _DECODER.raw_decode(text, position)
        position = _skip(text, _skip(text, position) + 1)  # past the comma
        index += 1
    return None


def _source_map(sources: SourceSet) -> SourceMap:
    sidecar = sources.entry.with_name(MAP_FILE)
    if sources.entry.name != "ir.json" or not sidecar.is_file():
        return {}
    try:
        return loads_source_map(sidecar.read_text("utf-8"))
    except (ValueError, KeyError, TypeError):
        return {}  # positions only: a stale or foreign map is not worth failing for
