"""``compile --check`` / ``--diff``: compare what compile would write with what is on disk.

ir.map.json is left out on purpose (DESIGN.md): it holds line numbers, so a comment added at the
top of models.py changes it, and a pre-commit check must not fail for that.
"""

from __future__ import annotations

import difflib
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

EXCLUDED_FROM_CHECK = frozenset({"ir.map.json"})


@dataclass(frozen=True)
class Stale:
    path: Path
    expected: str
    actual: str | None  # None: the file does not exist

    @property
    def reason(self) -> str:
        return "missing" if self.actual is None else "out of date"

    def unified_diff(self) -> str:
        shown = display(self.path)
        lines = difflib.unified_diff(
            (self.actual or "").splitlines(keepends=True), self.expected.splitlines(keepends=True),
            fromfile=f"a/{shown}" if self.actual is not None else "/dev/null",
            tofile=f"b/{shown}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in lines)


def stale_outputs(outputs: dict[str, str], out_dir: Path) -> list[Stale]:
    """Every checked output whose bytes on disk differ from what compile would write."""
    found = []
    for relative, text in sorted(outputs.items()):
        if Path(relative).name in EXCLUDED_FROM_CHECK:
            continue
        path = out_dir / relative
        actual = path.read_bytes() if path.is_file() else None
        if actual != text.encode("utf-8"):
            found.append(Stale(path, text, _decoded(actual)))
    return found


def _decoded(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", errors="replace")


def display(path: Path) -> str:
    """A path as the user would type it: relative to here when it is under here."""
    try:
        return Path(os.path.relpath(path)).as_posix() if path.is_absolute() else path.as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def fix_command(source: Path | None, targets: tuple[str, ...], out: Path | None) -> str:
    words = ["fastbackend", "compile"]
    if source is not None:
        words.append(str(source))
    for name in targets:
        words += ["--target", name]
    if out is not None:
        words += ["--out", str(out)]
    return shlex.join(words)


def stage_command(out_dir: Path) -> str | None:
    """`git add <out_dir>` when the outputs are in a git work tree: they are committed
    (docs/pre-commit.md), and pre-commit checks what is staged, not what is on disk."""
    folder = out_dir.resolve()
    if not any((parent / ".git").exists() for parent in (folder, *folder.parents)):
        return None
    return shlex.join(["git", "add", display(out_dir)])
