"""What `compile --watch` and `dev` watch: the schema's files, fastbackend.yaml, and the
Python code under app/ (custom routers in app/custom/ and what they import, such as app/auth.py).

Each folder is watched one level deep (the models' folders, the project folder, and every folder
under app/ as it is at start), so a virtualenv or node_modules inside the project costs no
watches; .fastbackend/ is never watched, so writing outputs cannot trigger another compile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fastbackend.sources import CONFIG_FILE, SourceSet

SCHEMA_SUFFIXES = frozenset({".py", ".prisma"})
# Editors save in bursts (write, rename, chmod): wait this long for the burst to end.
DEBOUNCE_MS = 300
# The watcher reports in at least this often; its first report means the watches are in place.
REPORT_MS = 1000

Snapshot = dict[Path, tuple[int, int]]  # a watched file -> (mtime_ns, size)


@dataclass(frozen=True)
class WatchSet:
    root: Path
    schema_folders: frozenset[Path]
    app: Path  # the project's own code: app/custom/ routers and the modules they import

    @classmethod
    def of(cls, sources: SourceSet) -> WatchSet:
        root = sources.root.resolve()
        folders = frozenset(path.resolve().parent for path in sources.files)
        return cls(root, folders, root / "app")

    def folders(self) -> list[Path]:
        found = {self.root, *self.schema_folders}
        if self.app.is_dir():
            found |= {self.app, *(path for path in self.app.rglob("*")
                                  if path.is_dir() and path.name != "__pycache__")}
        return sorted(found)

    def wants(self, path: Path) -> bool:
        if path.parent in self.schema_folders and path.suffix in SCHEMA_SUFFIXES:
            return True
        return path == self.root / CONFIG_FILE or self.is_code(path)

    def is_code(self, path: Path) -> bool:
        return path.suffix == ".py" and path.is_relative_to(self.app)

    def snapshot(self) -> Snapshot:
        """What the watched files are now: taken before a compile, it finds edits made before
        the watches were in place (during the compile, or while the watcher starts)."""
        found: Snapshot = {}
        for folder in self.folders():
            try:
                paths = [path for path in folder.iterdir() if self.wants(path)]
                for path in paths:
                    stat = path.stat()
                    found[path] = (stat.st_mtime_ns, stat.st_size)
            except OSError:  # deleted while we looked: the next look will say so
                continue
        return found


def edited_since(watched: WatchSet, before: Snapshot) -> set[Path]:
    now = watched.snapshot()
    return {path for path in before.keys() | now.keys() if before.get(path) != now.get(path)}


def changes(watched: WatchSet, stop: threading.Event | None = None,
            since: Snapshot | None = None,
            on_ready: Callable[[], None] | None = None) -> Iterator[set[Path]]:
    """Sets of changed paths that matter, until ``stop`` is set (or Ctrl-C).

    ``on_ready`` is called once the watches are in place (a message printed before then would
    promise more than is true); edits made since the ``since`` snapshot are reported then."""
    import watchfiles  # only when watching: `fastbackend --version` needs no watcher

    ready = False
    for batch in watchfiles.watch(*watched.folders(), recursive=False, debounce=DEBOUNCE_MS,
                                  stop_event=stop, watch_filter=None, raise_interrupt=False,
                                  rust_timeout=REPORT_MS, yield_on_timeout=True):
        relevant = {Path(path) for _, path in batch if watched.wants(Path(path))}
        if not ready:
            ready = True
            if since is not None:
                relevant |= edited_since(watched, since)
            if on_ready is not None:
                on_ready()
        if relevant:
            yield relevant
