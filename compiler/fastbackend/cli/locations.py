"""Where a diagnostic is, as the user can open it: its path relative to the current folder, or
absolute outside it (`fastbackend compile sub/dir/schema.prisma` reports
`sub/dir/schema.prisma:3:5`, not `schema.prisma:3:5`). Diagnostics hold paths relative to the
schema's root, as the IR and its source map do; the CLI decides how to show them."""

from __future__ import annotations

import os
from pathlib import Path

from fastbackend.diagnostics import Diagnostic


def shown_path(root: Path | None, file: str) -> str:
    """``file`` (relative to ``root``) as a path from the current folder, else absolute."""
    if root is None or Path(file).is_absolute():
        return file
    path = Path(os.path.abspath(root / file))
    if not path.exists():
        return file  # not a file under the root (an element's name, say): as reported
    here = Path.cwd()
    return path.relative_to(here).as_posix() if path.is_relative_to(here) else str(path)


def shown(diagnostic: Diagnostic, root: Path | None) -> str:
    return diagnostic.format(shown_path(root, diagnostic.file))
