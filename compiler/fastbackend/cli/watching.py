"""What `compile --watch` and `dev` watch: the schema's files, fastbackend.yaml, app/custom/.

Folders are watched one level deep (the models' folders, the project folder, app/custom/), so
a virtualenv or node_modules inside the project costs nothing; .fastbackend/ is never watched,
so writing outputs cannot trigger another compile.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastbackend.sources import CONFIG_FILE, SourceSet

SCHEMA_SUFFIXES = frozenset({".py", ".prisma"})
# Editors save in bursts (write, rename, chmod): wait this long for the burst to end.
DEBOUNCE_MS = 300


@dataclass(frozen=True)
class WatchSet:
    root: Path
    schema_folders: frozenset[Path]
    custom: Path

    @classmethod
    def of(cls, sources: SourceSet) -> WatchSet:
        root = sources.root.resolve()
        folders = frozenset(path.resolve().parent for path in sources.files)
        return cls(root, folders, root / "app" / "custom")

    def folders(self) -> list[Path]:
        found = {self.root, *self.schema_folders}
        if self.custom.is_dir():
            found.add(self.custom)
        return sorted(found)

    def wants(self, path: Path) -> bool:
        if path.parent in self.schema_folders and path.suffix in SCHEMA_SUFFIXES:
            return True
        return path == self.root / CONFIG_FILE or self.is_custom(path)

    def is_custom(self, path: Path) -> bool:
        return path.parent == self.custom and path.suffix == ".py"


def changes(watched: WatchSet, stop: threading.Event | None = None) -> Iterator[set[Path]]:
    """Sets of changed paths that matter, until ``stop`` is set (or Ctrl-C)."""
    import watchfiles  # only when watching: `fastbackend --version` needs no watcher

    for batch in watchfiles.watch(*watched.folders(), recursive=False, debounce=DEBOUNCE_MS,
                                  stop_event=stop, watch_filter=None, raise_interrupt=False):
        relevant = {Path(path) for _, path in batch if watched.wants(Path(path))}
        if relevant:
            yield relevant
