"""Record what a compile looked at on disk, so ``compile --check`` can later tell, without
compiling, that nothing it depends on changed (stamps.py).

A compile depends on more than the schema's files: the SQLAlchemy front-end follows imports
and probes where modules could be (a missing file matters as much as a present one), the
sources are found by listing folders, fastbackend.yaml and pyproject.toml are read when they
exist. Listing those by hand would miss one some day, so the recorder watches the process:

- every file opened (CPython's ``open`` audit event) -> its content;
- every folder listed (``os.scandir`` / ``os.listdir`` audit events) -> its names;
- every path stat-ed (``os.stat`` / ``os.lstat``, through which pathlib's ``exists``,
  ``is_file``, ``is_dir`` and ``resolve`` go) -> what it is (missing, file, folder, link).

Paths inside the interpreter's prefixes and FastBackend's own packages are left out: the code
fingerprint in stamps.py covers them. An observation replayed later that differs in any way
means "changed", and the real check runs.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Observation = tuple[str, str, str]  # (kind: "open" | "list" | "stat", absolute path, value)

_MISSING = "missing"
_active: _Recorder | None = None
_hook_installed = False


class _Recorder:
    def __init__(self, ignored: tuple[str, ...]) -> None:
        self.ignored = ignored
        # (kind, path) -> what it was; a file's content is taken when it is opened, the rest
        # when the recording ends
        self.seen: dict[tuple[str, str], str | None] = {}

    def note(self, kind: str, path: Any) -> None:
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        if not isinstance(path, str):
            return  # a file descriptor or bytes: nothing of ours is opened that way
        absolute = os.path.abspath(path)
        key = (kind, absolute)
        if absolute.startswith(self.ignored) or key in self.seen:
            return
        self.seen[key] = None  # first: observe() opens the file, which comes back here
        if kind == "open":
            self.seen[key] = observe(kind, absolute)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    recorder = _active
    if recorder is None:
        return
    if event == "open":
        recorder.note("open", args[0])
    elif event in ("os.scandir", "os.listdir"):
        recorder.note("list", args[0] if args[0] is not None else ".")


@contextmanager
def recording(ignored: tuple[str, ...]) -> Iterator[list[Observation]]:
    """Record while the block runs; the list is filled with the observations when it ends."""
    global _active, _hook_installed
    if not _hook_installed:  # an audit hook cannot be removed: it stays, idle, once added
        sys.addaudithook(_audit)
        _hook_installed = True
    recorder = _Recorder(tuple(os.path.join(prefix, "") for prefix in ignored))
    original_stat, original_lstat = os.stat, os.lstat

    def watched_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        recorder.note("stat", path)
        return original_stat(path, *args, **kwargs)

    def watched_lstat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        recorder.note("lstat", path)
        return original_lstat(path, *args, **kwargs)

    observations: list[Observation] = []
    _active = recorder
    os.stat, os.lstat = watched_stat, watched_lstat
    try:
        yield observations
    finally:
        os.stat, os.lstat = original_stat, original_lstat
        _active = None
    observations.extend((kind, path, observe(kind, path) if value is None else value)
                        for (kind, path), value in recorder.seen.items())


def observe(kind: str, path: str) -> str:
    """What ``path`` is now, in the terms of one kind of observation."""
    try:
        if kind == "open":
            with open(path, "rb") as file:
                return hashlib.blake2b(file.read(), digest_size=16).hexdigest()
        if kind == "list":
            names = "\0".join(sorted(os.listdir(path)))
            return hashlib.blake2b(names.encode("utf-8", "surrogateescape"),
                                   digest_size=16).hexdigest()
        mode = (os.lstat(path) if kind == "lstat" else os.stat(path)).st_mode
        if stat.S_ISLNK(mode):  # where it points decides what resolve() makes of it
            return "link:" + os.readlink(path)
    except (OSError, ValueError):
        return _MISSING
    return "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else "other"


def unchanged(observations: list[Observation]) -> bool:
    """True when every recorded observation still holds."""
    return all(observe(kind, path) == value for kind, path, value in observations)
