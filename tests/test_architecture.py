"""The layout of DESIGN.md, enforced: dependency direction, import names, modules that import alone."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["fastbackend", "fastbackend_ir", "fastbackend_contract", "fastbackend_grammars",
            "fastbackend_fastapi", "fastbackend_openapi", "fastbackend_express"]


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 8 kept, 0 broken" in result.stdout, result.stdout


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


# The parent of the per-module children below first loads every third-party module that our
# modules import (and none of ours), so every child starts with no module of ours loaded and the
# check costs milliseconds per module, not the second FastAPI and SQLAlchemy take.
THIRD_PARTY_OF = """\
import importlib, sys
ours = tuple(sys.argv[1:])
for name in ours:
    importlib.import_module(name)
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] not in {n.split(".")[0] for n in ours}
                      and not m.startswith("__"))))
"""

IMPORT_EACH_IN_A_FORK = """\
import importlib, os, shutil, sys, tempfile, traceback
# Our modules compiled once, not in every child (PYTHONDONTWRITEBYTECODE may be set): the first
# child to import one leaves its bytecode in a folder of this run's, the later children load it.
sys.dont_write_bytecode, sys.pycache_prefix = False, tempfile.mkdtemp(prefix="imports-alone-")
for library in sys.argv[1].split(","):
    try:  # a speed-up only: some entries of sys.modules (extension shims) cannot be re-imported
        importlib.import_module(library)
    except ImportError:
        pass
# One child per core at a time: the children share nothing, and the check is the suite's
# longest single test, so it finishes with the others instead of after them.
width, running, failed = os.cpu_count() or 1, {}, []
def reap():
    pid, status = os.wait()
    if status != 0:
        failed.append(running[pid])
    del running[pid]
for name in sys.argv[2:]:
    if len(running) >= width:
        reap()
    child = os.fork()
    if child == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    running[child] = name
while running:
    reap()
shutil.rmtree(sys.pycache_prefix, ignore_errors=True)
print("\\n".join(sorted(failed)))
sys.exit(1 if failed else 0)
"""


@pytest.mark.slow  # a process per module: make test runs it, the inner loop leaves it out
def test_every_module_imports_alone() -> None:
    """Each module in a process where none of ours was imported before it: catches import cycles
    and hidden import-order needs among our modules."""
    modules = _modules()
    third_party = subprocess.run([sys.executable, "-c", THIRD_PARTY_OF, *modules],
                                 capture_output=True, text=True, timeout=600, check=True).stdout
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH_IN_A_FORK, third_party.strip(),
                             *modules], capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr[-5000:]
    assert result.stdout.strip() == ""


def test_the_import_check_catches_a_module_that_needs_another_first(tmp_path: Path) -> None:
    """The check above, on two made-up modules: one only imports after the other ran."""
    (tmp_path / "needs_first.py").write_text("import sys\nsys.modules['first'].VALUE\n")
    (tmp_path / "first.py").write_text("VALUE = 1\n")
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH_IN_A_FORK, "json", "first",
                             "needs_first"], capture_output=True, text=True, timeout=60,
                            check=False, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 1 and result.stdout.split() == ["needs_first"], result.stdout
