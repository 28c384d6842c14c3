"""Find the schema a command should compile, following DESIGN.md's conventions.

SOURCE may be a models file, a models package folder, a .prisma file or a folder of them, a
compiled IR (a .json file), or a project folder with fastbackend.yaml; by default the current folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fastbackend import config
from fastbackend.diagnostics import CompileError, Diagnostic

Language = Literal["sqlalchemy", "prisma", "ir"]
IR_DIR = ".fastbackend"
CONFIG_FILE = config.CONFIG_FILE
CONVENTIONAL = ("models.py", "models", "schema.prisma", "prisma/schema.prisma", "prisma/schema")


@dataclass(frozen=True)
class SourceSet:
    """The files of one schema. ``root`` is what paths in the IR are relative to."""

    language: Language
    root: Path
    files: tuple[Path, ...]
    entry: Path
    import_roots: tuple[Path, ...] = ()  # --root: where the project's imports are found first

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    @property
    def output_dir(self) -> Path:
        return self.root / ".fastbackend"


def resolve(source: str | Path | None = None, schema_hint: str | None = None) -> SourceSet:
    """Resolve SOURCE (or the current folder) to a SourceSet; CompileError FB00x otherwise."""
    path = Path(source) if source is not None else Path.cwd()
    if not path.exists():
        raise _error(path, "FB002", f"{path} does not exist")
    if path.is_file():
        return _from_file(path)
    if schema_hint is None and (path / CONFIG_FILE).is_file():
        schema_hint = _schema_from_config(path / CONFIG_FILE)
    if schema_hint is not None:
        return resolve(path / schema_hint)
    if any(path.glob("*.prisma")) and not (path / "models.py").exists():
        return _prisma_folder(path, path)
    if (path / "__init__.py").is_file():  # a package: all its modules, models.py or not
        return _python_package(path)
    for name in CONVENTIONAL:
        candidate = path / name
        if candidate.exists():
            return _with_root(resolve(candidate), path)
    raise _error(path, "FB001", f"no schema in {path}: expected {CONFIG_FILE}, "
                 "models.py, a models/ package, schema.prisma or prisma/schema.prisma")


def _with_root(found: SourceSet, root: Path) -> SourceSet:
    return SourceSet(found.language, root, found.files, found.entry)


def _from_file(path: Path) -> SourceSet:
    if path.suffix == ".py":
        return SourceSet("sqlalchemy", path.parent, (path,), path)
    if path.suffix == ".prisma":
        return SourceSet("prisma", path.parent, (path,), path)
    if path.suffix == ".json":
        return _ir_file(path)
    if path.name == CONFIG_FILE:
        return resolve(path.parent)
    raise _error(path, "FB003", f"{path.name} is neither a Python models file (.py), a "
                 "Prisma schema (.prisma) nor a compiled IR (.json)")


def _ir_file(path: Path) -> SourceSet:
    """A compiled IR: any .json file is read as one (FB008 when it is not). The project is the
    folder that holds it, or the one above for .fastbackend/ir.json, so outputs and migrations/
    land where compiling the original schema would put them."""
    root = path.parent.parent if path.parent.name == IR_DIR else path.parent
    return SourceSet("ir", root, (path,), path)


def _prisma_folder(folder: Path, root: Path) -> SourceSet:
    files = tuple(sorted(folder.rglob("*.prisma")))
    return SourceSet("prisma", root, files, files[0])


def _python_package(folder: Path) -> SourceSet:
    files = tuple(sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts))
    return SourceSet("sqlalchemy", folder.parent, files, folder / "__init__.py")


def _schema_from_config(config_file: Path) -> str | None:
    """The `schema:` key, read with the one fastbackend.yaml parser (comments, quoting and
    positions handled); a value that is not a path is FB402 at its line and column."""
    document = config.read(config_file.parent)
    data = document.data if document is not None else None
    value = data.get("schema") if isinstance(data, dict) else None
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        assert document is not None
        raise document.error(("schema",), "FB402",
                             "schema must be a path to models.py, a models package or .prisma")
    return value.strip()


def _error(path: Path, code: str, message: str) -> CompileError:
    return CompileError([Diagnostic(str(path), 1, 1, code, message)])


def read_source(path: Path, display: str | None = None) -> str:
    """A source file's text; CompileError FB004 (with the position of the bad byte) if not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        message = f"not UTF-8 text: byte 0x{data[error.start]:02x} cannot be decoded"
        raise CompileError([Diagnostic(display or str(path), line, column, "FB004", message)]) \
            from None
