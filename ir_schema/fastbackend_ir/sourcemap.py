"""The ir.map.json sidecar: where each IR element came from (file, line, column; 1-based).

Positions live here rather than in ir.json so that an unrelated edit to the source (a comment added
at the top of models.py) changes no byte of ir.json. Keys are JSON Pointers into ir.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fastbackend_ir.io import canonical_json, write_if_changed
from fastbackend_ir.types import JSONValue

SOURCE_MAP_VERSION = 1


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


SourceMap = dict[str, Location]


def dumps_source_map(source_map: SourceMap) -> str:
    entries: dict[str, JSONValue] = {
        pointer: {"file": loc.file, "line": loc.line, "column": loc.column}
        for pointer, loc in source_map.items()
    }
    return canonical_json({"version": SOURCE_MAP_VERSION, "locations": entries})


def loads_source_map(text: str) -> SourceMap:
    document = json.loads(text)
    if document.get("version") != SOURCE_MAP_VERSION:
        raise ValueError(f"unsupported ir.map.json version {document.get('version')!r}")
    return {
        pointer: Location(entry["file"], entry["line"], entry["column"])
        for pointer, entry in document["locations"].items()
    }


def dump_source_map(source_map: SourceMap, path: str | Path) -> bool:
    return write_if_changed(Path(path), dumps_source_map(source_map))


def load_source_map(path: str | Path) -> SourceMap:
    return loads_source_map(Path(path).read_text("utf-8"))
