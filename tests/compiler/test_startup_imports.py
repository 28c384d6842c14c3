"""What the quick commands import (issue #19): `--version` and a stamped `compile --check` run
in a pre-commit hook on every commit, so they must not load the front-ends, the IR schema
validator, the runtime or the adapters. Checked in a fresh interpreter through sys.modules,
never by timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import prisma_project, sqlalchemy_project

# Never on the quick paths.
HEAVY = ("fastapi", "sqlalchemy", "pydantic", "starlette", "uvicorn", "jinja2",
         "fastbackend_fastapi", "fastbackend_express")
# Not before a compile runs: the compiler proper.
COMPILER = ("libcst", "lark", "jsonschema", "yaml", "fastbackend_ir", "fastbackend_openapi",
            "fastbackend.pipeline", "fastbackend.frontends", "fastbackend.diff")

PROBE = """
import json, sys
from fastbackend.cli.main import cli
try:
    cli.main(sys.argv[1:], prog_name="fastbackend")
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _imported(folder: Path, *args: str) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=folder, capture_output=True,
                          text=True, check=True, env={**os.environ})
    report = json.loads(done.stdout.splitlines()[-1])
    return report["code"], set(report["modules"])


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_version_imports_click_only(tmp_path: Path) -> None:
    code, modules = _imported(tmp_path, "--version")
    assert code == 0
    assert _loaded(modules, (*HEAVY, *COMPILER)) == []
    assert _loaded(modules, ("fastbackend.cli",)) == ["fastbackend.cli", "fastbackend.cli.main"]


@pytest.mark.parametrize("make", [prisma_project, sqlalchemy_project],
                         ids=["prisma", "sqlalchemy"])
def test_a_stamped_check_imports_no_compiler(tmp_path: Path, make: object,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTBACKEND_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FASTBACKEND_NO_CACHE", raising=False)
    folder = tmp_path / "blog"
    make(folder)  # type: ignore[operator]
    assert _imported(folder, "compile", "-q")[0] == 0
    assert _imported(folder, "compile", "--check")[0] == 0  # records the stamp
    code, modules = _imported(folder, "compile", "--check")
    assert code == 0
    assert _loaded(modules, (*HEAVY, *COMPILER)) == []


@pytest.mark.parametrize("make, other", [(prisma_project, "libcst"),
                                         (sqlalchemy_project, "lark")],
                         ids=["prisma", "sqlalchemy"])
def test_a_real_check_imports_only_what_it_uses(tmp_path: Path, make: object,
                                                other: str) -> None:
    folder = tmp_path / "blog"
    make(folder)  # type: ignore[operator]
    assert _imported(folder, "compile", "-q", "--no-cache")[0] == 0
    code, modules = _imported(folder, "compile", "--check", "--no-cache")
    assert code == 0
    assert _loaded(modules, (*HEAVY, other, "fastbackend.diff")) == []


def test_migrate_imports_no_web_framework(tmp_path: Path) -> None:
    """`fastbackend migrate` writes and applies revisions: the database layer, not FastAPI (0.6 s
    of CPU on every migrate, in CI and in a deploy's release step)."""
    folder = tmp_path / "blog"
    sqlalchemy_project(folder)
    code, modules = _imported(folder, "migrate", "--apply", "-q",
                              "--database-url", f"sqlite:///{tmp_path / 'app.db'}")
    assert code == 0
    assert "sqlalchemy" in modules and "alembic" in modules  # it did migrate
    assert _loaded(modules, ("fastapi", "uvicorn")) == []
