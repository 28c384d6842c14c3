"""Where FastBackend keeps what only makes it faster: compile --check's stamps and the Prisma
parser's tables. Deleting it is always safe."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """FASTBACKEND_CACHE_DIR, else the user cache folder (~/.cache/fastbackend on Linux)."""
    configured = os.environ.get("FASTBACKEND_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs  # only when a cache is used

    return Path(platformdirs.user_cache_dir("fastbackend", appauthor=False))


def caching_disabled() -> bool:
    return os.environ.get("FASTBACKEND_NO_CACHE", "") not in ("", "0")
