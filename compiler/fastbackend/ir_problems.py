"""An IR that fails validation is a compiler bug (FB006), yet it is reported where it came from.

Each validation problem names the failing element with a JSON Pointer; the source map locates
the nearest element on that pointer's path (`/entities/ApiKey/indexes/0/fields` -> the
`@@index` line of `ApiKey`), in the file that declared it. Only a problem outside every located
element falls back to the entry file's first line.
"""

from __future__ import annotations

from fastbackend.diagnostics import Diagnostic, with_source
from fastbackend_ir import IRValidationError, SourceMap
from fastbackend_ir.sourcemap import Location

CODE = "FB006"


def locate(pointer: str, source_map: SourceMap, fallback: Location) -> Location:
    tokens = pointer.split("/")
    for end in range(len(tokens), 0, -1):
        found = source_map.get("/".join(tokens[:end]))
        if found is not None:
            return found
    return fallback


def ir_problem_diagnostics(
    error: IRValidationError, source_map: SourceMap, entry: str,
    texts: dict[str, str] | None = None,
) -> list[Diagnostic]:
    """``texts``: the sources by file, when the front-end kept them, for the caret line."""
    fallback = Location(entry, 1, 1)
    found = []
    for problem in error.problems:
        where = locate(problem.pointer, source_map, fallback)
        diagnostic = Diagnostic(where.file, where.line, where.column, CODE, str(problem))
        text = (texts or {}).get(where.file)
        found.append(with_source(diagnostic, text) if text is not None else diagnostic)
    return found
