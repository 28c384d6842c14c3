"""The front-end's public surface is compile_sources; every module imports on its own; and it
never imports the libraries whose models it reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import fastbackend.frontends.sqlalchemy as frontend

PACKAGE = Path(frontend.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def test_public_api_is_pinned() -> None:
    assert frontend.__all__ == ["compile_sources"]


@pytest.mark.parametrize("name", MODULES)
def test_every_module_imports_alone(name: str) -> None:
    code = f"import fastbackend.frontends.sqlalchemy.{name}"
    subprocess.run([sys.executable, "-c", code], check=True)


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
