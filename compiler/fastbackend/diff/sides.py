"""One side of a diff: an IR file, ``-`` (standard input), or ``GITREF:PATH`` (via git show).

The ir.map.json beside an IR (``ir.map.json`` for ``ir.json``, ``x.map.json`` for ``x.json``) is
read when present, from the same place, so findings point at lines of code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fastbackend.diff.locations import Locator
from fastbackend_ir import IR, IRProblem, IRValidationError, SourceMap, loads, loads_source_map


class SideError(Exception):
    """A side cannot be read (missing file, unknown git ref): a usage error."""


@dataclass(frozen=True)
class Side:
    label: str
    ir: IR
    source_map: SourceMap
    root: str

    @property
    def locator(self) -> Locator:
        return Locator(self.ir, self.source_map, self.root)


def read_side(spec: str) -> Side:
    if spec == "-":
        data = sys.stdin.buffer.read()
        return Side("<stdin>", _load(data, "<stdin>"), {}, "")
    path = Path(spec)
    if path.is_file():
        return _from_file(path)
    ref, colon, inner = spec.partition(":")
    if colon and ref and inner:
        return read_git_side(ref, inner)
    if path.is_dir():
        raise SideError(f"{spec}: is a folder; give its IR file ({spec}/.fastbackend/ir.json?)")
    raise SideError(f"{spec}: no such file (a side is a file, '-', or GITREF:PATH)")


def _load(data: bytes, origin: str) -> IR:
    try:
        return loads(data, origin=origin)
    except UnicodeDecodeError:
        raise IRValidationError([IRProblem("", "not UTF-8 JSON text")], origin) from None


def source_map_path(ir_path: PurePosixPath | Path) -> str:
    stem = ir_path.name.removesuffix(".json")
    return str(ir_path.with_name(f"{stem}.map.json" if stem != "ir" else "ir.map.json"))


def _from_file(path: Path) -> Side:
    ir = _load(path.read_bytes(), str(path))
    map_path = Path(source_map_path(path))
    source_map = _parse_map(map_path.read_text("utf-8"), str(map_path)) if map_path.is_file() \
        else {}
    return Side(str(path), ir, source_map, _from_here(source_root(path.as_posix())))


def _from_here(folder: str | Path) -> str:
    """Locations read best relative to where the command runs (editors, GitHub annotations)."""
    try:
        relative = Path(os.path.relpath(folder or ".")).as_posix()
    except ValueError:  # another drive on Windows
        relative = Path(folder).as_posix()
    return "" if relative == "." else relative


def read_git_side(ref: str, path: str, cwd: Path | None = None) -> Side:
    """``path`` is relative to the repository root, as in ``git show REF:PATH``."""
    label = f"{ref}:{path}"
    text = git_show(ref, path, cwd)
    if text is None:
        raise SideError(f"{label}: not found (is {ref!r} a git ref, and {path} in it?)")
    ir = _load(text, label)
    map_text = git_show(ref, source_map_path(PurePosixPath(path)), cwd)
    source_map = _parse_map(map_text.decode("utf-8"), label) if map_text is not None else {}
    return Side(label, ir, source_map, _from_here(_repository_folder(path, cwd)))


def _repository_folder(path: str, cwd: Path | None) -> Path:
    """The IR's source root on disk: git paths are from the repository root unless they start
    with ./ or ../ (then from the current folder, as git show reads them)."""
    if path.startswith(("./", "../")):
        return Path(source_root(path) or ".")
    done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True,
                          text=True, check=False)
    top = Path(done.stdout.strip()) if done.returncode == 0 else Path(".")
    return top / source_root(path)


def git_show(ref: str, path: str, cwd: Path | None = None) -> bytes | None:
    try:
        done = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=cwd, capture_output=True,
                              check=False)
    except FileNotFoundError:
        raise SideError("git is not installed (needed for GITREF:PATH and --against)") from None
    return done.stdout if done.returncode == 0 else None


def source_root(ir_path: str) -> str:
    """The folder the IR's source paths are relative to: the parent of .fastbackend/."""
    folder = PurePosixPath(ir_path).parent
    if folder.name == ".fastbackend":
        folder = folder.parent
    return "" if str(folder) == "." else str(folder)


def _parse_map(text: str, origin: str) -> SourceMap:
    try:
        return loads_source_map(text)
    except (ValueError, KeyError, TypeError) as error:
        # A broken sidecar only costs line numbers; the comparison itself is still sound.
        print(f"warning: {origin}: source map ignored ({error})", file=sys.stderr)
        return {}
