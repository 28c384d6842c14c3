"""Point findings at code: the ir.map.json beside each IR, else the element's source file."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend.diff.findings import Finding
from fastbackend_ir import IR, Location, SourceMap


@dataclass(frozen=True)
class Locator:
    """Locations for one side. ``root`` is the folder the IR's source paths are relative to,
    as the user would spell it from where they run the command ('' for here)."""

    ir: IR
    source_map: SourceMap = field(default_factory=dict)
    root: str = ""

    def find(self, pointer: str) -> Location | None:
        found = self._mapped(pointer) or self._element_file(pointer)
        if found is None or not self.root:
            return found
        return Location(f"{self.root}/{found.file}", found.line, found.column)

    def _mapped(self, pointer: str) -> Location | None:
        # The nearest enclosing element that the map knows (a default -> its field -> entity).
        while pointer:
            if pointer in self.source_map:
                return self.source_map[pointer]
            pointer = pointer.rpartition("/")[0]
        return None

    def _element_file(self, pointer: str) -> Location | None:
        """The file that declares the element, else the schema's first file (for changes to
        the whole model, such as the database provider)."""
        parts = pointer.split("/")
        if len(parts) < 3:
            return self._schema_file()
        group, name = parts[1], parts[2].replace("~1", "/").replace("~0", "~")
        sources = {
            "entities": {k: v.source for k, v in self.ir.entities.items()},
            "enums": {k: v.source for k, v in self.ir.enums.items()},
            "joinTables": {k: v.source for k, v in self.ir.join_tables.items()},
        }
        source = sources.get(group, {}).get(name)
        return Location(source, 1, 1) if source else self._schema_file()

    def _schema_file(self) -> Location | None:
        files = self.ir.source.files
        return Location(files[0], 1, 1) if files else None


def locate(findings: list[Finding], base: Locator, head: Locator) -> list[Finding]:
    return [f.located((base if f.side == "base" else head).find(f.pointer)) for f in findings]
