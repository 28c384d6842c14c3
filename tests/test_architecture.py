"""The layout of DESIGN.md, enforced: dependency direction, import names, modules that import alone."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["fastbackend", "fastbackend_ir", "fastbackend_grammars",
            "fastbackend_fastapi", "fastbackend_openapi", "fastbackend_express"]


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 6 kept, 0 broken" in result.stdout, result.stdout


@pytest.mark.parametrize("folder", ["compiler", "adapters", "grammars", "ir_schema"])
def test_folder_names_are_not_importable(folder: str) -> None:
    script = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({folder!r}) is not None)"
    result = subprocess.run([sys.executable, "-c", script], cwd="/", check=False)
    assert result.returncode == 0, f"`import {folder}` must not work"


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            names.append(info.name)
    return sorted(names)


def test_every_module_imports_alone() -> None:
    """Each module in a fresh interpreter: catches import cycles and hidden import-order needs."""
    modules = _modules()
    script = (
        "import importlib, subprocess, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    r = subprocess.run([sys.executable, '-c', f'import {name}'], capture_output=True,"
        " text=True)\n"
        "    if r.returncode: failed.append(name + ': ' + r.stderr.strip().splitlines()[-1])\n"
        "print('\\n'.join(failed)); sys.exit(1 if failed else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, *modules], capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout
