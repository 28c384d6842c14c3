"""The front-end's public surface is compile_sources, and it never imports the libraries whose
models it reads. (That each of its modules imports on its own is tests/test_architecture.py's
check, for every module of every package.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import fastbackend.frontends.sqlalchemy as frontend

PACKAGE = Path(frontend.__file__).parent


def test_public_api_is_pinned() -> None:
    assert frontend.__all__ == ["compile_sources"]


def test_compiling_imports_neither_sqlalchemy_nor_the_model_libraries() -> None:
    blog = PACKAGE.parents[3] / "examples" / "blog" / "models.py"
    code = (
        "import sys\n"
        "from fastbackend.frontends.sqlalchemy import compile_sources\n"
        "from fastbackend.sources import resolve\n"
        f"compile_sources(resolve({str(blog)!r}))\n"
        "loaded = [m for m in ('sqlalchemy', 'sqlmodel', 'flask_sqlalchemy') if m in sys.modules]\n"
        "assert loaded == [], loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
