"""The ``compile --check`` stamps: answer "up to date" without compiling when that is certain.

After a real check (or a compile) found every output fresh, a stamp records what it depended
on, under a key made of the request (working folder, SOURCE, --target, --out, --root) and of
the code that compiled it (Python's version, the installed distributions' names and versions,
and the size and mtime of every file of FastBackend's own packages):

- everything the compile looked at on disk (observe.py: files read, folders listed, paths
  probed), each with what it was;
- the hash of each checked output's bytes, and the warnings the compile printed.

A later ``--check`` with the same key replays the observations and hashes the outputs on disk:
when all match, the real check would compile the same inputs with the same code and compare
the same bytes, so its answer is known. Anything else (a changed, added or removed input, an
edited output, another version) runs the real check. ``--no-cache`` or
``FASTBACKEND_NO_CACHE=1`` turns stamps off; ``FASTBACKEND_CACHE_DIR`` moves them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastbackend.cache_dir import cache_dir
from fastbackend.cli.observe import Observation, unchanged

FORMAT = 1
KEEP = 32  # stamps kept (one per project and option set); the oldest is dropped first
STAMPS_FILE = "check-stamps.json"
# FastBackend's own packages: their code decides the outputs (adapters found by entry point)
PACKAGES = ("fastbackend", "fastbackend_ir", "fastbackend_grammars", "fastbackend_openapi",
            "fastbackend_express", "fastbackend_fastapi")


@dataclass(frozen=True)
class Stamp:
    out_dir: str
    outputs: dict[str, str]  # output path relative to out_dir -> hash of its bytes
    observations: list[Observation]
    warnings: list[str]  # as printed, in order

    def holds(self) -> bool:
        """The recorded inputs are as they were and the outputs hold the recorded bytes."""
        out_dir = Path(self.out_dir)
        return (all(file_hash(out_dir / name) == digest for name, digest in self.outputs.items())
                and unchanged(self.observations))


def file_hash(path: Path) -> str | None:
    try:
        return text_hash(path.read_bytes())
    except OSError:
        return None


def text_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def request_key(source: Path | None, targets: tuple[str, ...], out: Path | None,
                roots: tuple[Path, ...]) -> str:
    request = {"format": FORMAT, "python": sys.version, "executable": sys.executable,
               "cwd": os.getcwd(), "source": _absolute(source), "targets": list(targets),
               "out": _absolute(out), "roots": [_absolute(root) for root in roots],
               "code": code_fingerprint()}
    return text_hash(json.dumps(request, sort_keys=True).encode("utf-8"))


def _absolute(path: Path | None) -> str | None:
    return None if path is None else os.path.abspath(path)


def package_dirs() -> list[str]:
    """Where FastBackend's packages live (found without importing them)."""
    found = []
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            found.extend(spec.submodule_search_locations)
    return found


def ignored_prefixes() -> tuple[str, ...]:
    """What the observations leave out: the interpreter's files and FastBackend's code, which
    the key covers, and the cache folder (the parser's tables)."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                os.path.abspath(cache_dir())}
    return tuple(sorted({os.path.realpath(p) for p in prefixes} | prefixes
                        | set(package_dirs())))


def code_fingerprint() -> str:
    """The installed distributions (names carry versions) and FastBackend's own files."""
    digest = hashlib.blake2b(digest_size=16)
    for entry in sys.path:
        if entry.endswith(("site-packages", "dist-packages")) and os.path.isdir(entry):
            for name in sorted(os.listdir(entry)):
                digest.update(f"{entry}/{name}\n".encode("utf-8", "surrogateescape"))
    for folder in package_dirs():
        for path, size, mtime in _files(folder):
            digest.update(f"{path} {size} {mtime}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _files(folder: str) -> list[tuple[str, int, int]]:
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                found.extend(_files(entry.path))
            else:
                info = entry.stat()
                found.append((entry.path, info.st_size, info.st_mtime_ns))
    return sorted(found)


def load(key: str) -> Stamp | None:
    record = _read_all().get(key)
    if not isinstance(record, dict):
        return None
    try:
        return Stamp(record["out_dir"], dict(record["outputs"]),
                     [(kind, path, value) for kind, path, value in record["observations"]],
                     list(record["warnings"]))
    except (KeyError, TypeError, ValueError):
        return None


def save(key: str, stamp: Stamp) -> None:
    """Best effort: a cache folder that cannot be written only costs speed."""
    stamps = _read_all()
    stamps.pop(key, None)
    stamps[key] = {"out_dir": stamp.out_dir, "outputs": stamp.outputs,
                   "observations": stamp.observations, "warnings": stamp.warnings}
    kept = dict(list(stamps.items())[-KEEP:])
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False,
                                         suffix=".tmp") as file:
            json.dump({"format": FORMAT, "stamps": kept}, file)
        os.replace(file.name, folder / STAMPS_FILE)
    except OSError:
        return


def _read_all() -> dict[str, Any]:
    try:
        document = json.loads((cache_dir() / STAMPS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return {}
    stamps = document.get("stamps")
    return stamps if isinstance(stamps, dict) else {}
