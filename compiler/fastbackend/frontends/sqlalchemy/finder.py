"""Where a module lives, found the way Python's import system would find it, without importing it.

The search path is built from the source, in this order:

1. ``--root`` folders given on the command line;
2. the import root: the folder above the outermost package holding the entry (walk up while the
   folder has an ``__init__.py``);
3. the nearest folder above the entry with a pyproject.toml, setup.cfg or setup.py, and its
   ``src/`` (a src layout);
4. the entry's own folder (``sys.path[0]`` when a script runs).

An absolute import whose first name is a folder the entry lies in (``app`` for ``app/models.py``
in a namespace package, no ``__init__.py``) is also found from that folder's parent. Libraries the
compiler knows (``libraries/``: advanced-alchemy, fastapi-users, ...) are found last, as stubs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")
LIBRARIES = Path(__file__).with_name("libraries")
# Names no project module can shadow for us: the libraries whose classes the compiler knows by name.
NOT_PROJECT = frozenset({"sqlalchemy", "sqlmodel", "flask_sqlalchemy", "typing", "builtins",
                         "datetime", "uuid", "enum", "decimal", "typing_extensions", "__future__"})


@dataclass(frozen=True)
class Located:
    """A module file: its qualified name, whether it is a package, and whether it is a library
    stub (read for the names it declares, never reported on)."""

    name: str
    path: Path
    is_package: bool
    library: bool = False


class ModuleFinder:
    def __init__(self, entry: Path, roots: Sequence[Path] = ()) -> None:
        self.entry = entry.resolve()
        self.roots = search_path(self.entry, roots)
        self._found: dict[str, Located | None] = {}

    def name_of(self, path: Path) -> tuple[str, bool]:
        """A project file's qualified module name, from the first root that holds it."""
        path = path.resolve()
        for root in self.roots:
            if path.is_relative_to(root):
                return _dotted(path.relative_to(root))
        return _dotted(Path(path.name))

    def locate(self, qname: str) -> Located | None:
        """The module a (possibly longer) qualified name lives in: ``app.db.Base`` -> app/db.py,
        or app/db/__init__.py, or app/__init__.py (where ``db`` is a name it binds)."""
        parts = qname.split(".")
        if parts[0] in NOT_PROJECT or not all(p.isidentifier() for p in parts):
            return None
        for end in range(len(parts), 0, -1):
            found = self._module(".".join(parts[:end]))
            if found is not None:
                return found
        return None

    def _module(self, name: str) -> Located | None:
        if name not in self._found:
            self._found[name] = self._search(name)
        return self._found[name]

    def _search(self, name: str) -> Located | None:
        parts = name.split(".")
        for root in (*self.roots, *self._namespace_roots(parts[0])):
            found = _file(root, parts, ".py")
            if found is not None:
                return Located(name, *found)
        found = _file(LIBRARIES, parts, ".pyi")
        return Located(name, *found, library=True) if found is not None else None

    def _namespace_roots(self, head: str) -> list[Path]:
        return [folder.parent for folder in self.entry.parents if folder.name == head]


def search_path(entry: Path, roots: Sequence[Path] = ()) -> tuple[Path, ...]:
    found = [root.resolve() for root in roots]
    found.append(import_root(entry))
    project = project_root(entry)
    if project is not None:
        found.extend([project, project / "src"] if (project / "src").is_dir() else [project])
    found.append(entry.parent)
    return tuple(dict.fromkeys(found))


def import_root(entry: Path) -> Path:
    folder = entry.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder


def project_root(entry: Path) -> Path | None:
    """The nearest folder with project metadata, not looking past a repository's top."""
    for folder in entry.parents:
        if any((folder / marker).is_file() for marker in PROJECT_MARKERS):
            return folder
        if (folder / ".git").exists():
            return None
    return None


def _file(root: Path, parts: list[str], suffix: str) -> tuple[Path, bool] | None:
    module = root.joinpath(*parts)
    package = module / f"__init__{suffix}"
    if _is_file(package):
        return package, True
    plain = module.with_name(module.name + suffix)
    if _is_file(plain):
        return plain, False
    return None


def _is_file(path: Path) -> bool:
    """Path.is_file, and False for a name no file system holds (longer than 255 bytes: Python's
    is_file raises ENAMETOOLONG), which an import may spell: there is no such module."""
    try:
        return path.is_file()
    except OSError:
        return False


def _dotted(relative: Path) -> tuple[str, bool]:
    parts = list(relative.with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts), is_package
