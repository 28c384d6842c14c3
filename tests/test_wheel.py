"""The wheel: the right import names, and the IR schema and the grammar load from an installed copy."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_PACKAGES = {"fastbackend", "fastbackend_ir", "fastbackend_contract", "fastbackend_grammars",
                     "fastbackend_fastapi", "fastbackend_openapi", "fastbackend_express"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "--wheel-dir", str(out), str(ROOT)],
        check=True, timeout=300,
    )
    (built,) = out.glob("fastbackend-*.whl")
    return built


def _top_level(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name.split("/", 1)[0] for name in archive.namelist()}


def test_wheel_holds_exactly_the_six_import_packages(wheel: Path) -> None:
    top = {name for name in _top_level(wheel) if not name.endswith(".dist-info")}
    assert top == EXPECTED_PACKAGES
    assert not top & {"compiler", "adapters", "grammars", "ir_schema", "tests", "examples"}


def test_wheel_carries_its_data_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "fastbackend_ir/schema/v1.json" in names
    assert "fastbackend_grammars/prisma.lark" in names
    assert "fastbackend_ir/py.typed" in names


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    env_dir = tmp_path_factory.mktemp("fresh-venv")
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True, timeout=300)
    # Only what loading the schema and the grammar needs, so the test stays fast.
    subprocess.run([*pip, "jsonschema", "lark", "click", "PyYAML"], check=True, timeout=600)
    yield python


LOAD_FROM_WHEEL = """
import json, sys
from importlib import resources
import fastbackend_ir, fastbackend_grammars, lark
assert fastbackend_ir.__file__.startswith(sys.prefix), fastbackend_ir.__file__
assert fastbackend_grammars.__file__.startswith(sys.prefix), fastbackend_grammars.__file__
ir = fastbackend_ir.loads(open(sys.argv[1], encoding="utf-8").read())
grammar = resources.files("fastbackend_grammars").joinpath("prisma.lark").read_text("utf-8")
lark.Lark(grammar, parser="lalr", propagate_positions=True)
print(json.dumps({"entities": sorted(ir.entities), "schema": fastbackend_ir.schema()["$id"]}))
"""


def test_schema_and_grammar_load_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    golden = ROOT / "tests" / "golden" / "blog.ir.json"
    result = subprocess.run([str(installed), "-c", LOAD_FROM_WHEEL, str(golden)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert '"entities": ["Comment", "Post", "Tag", "User"]' in result.stdout


def test_console_script_runs_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    script = installed.parent / "fastbackend"
    result = subprocess.run([str(script), "--version"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "fastbackend, version 0.1.0"
