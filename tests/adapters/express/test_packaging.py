"""The wheel carries every template of the Express emitter and its support library (hatch
includes package data), so an installed emitter can copy the library."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "adapters" / "fastbackend_express"
TEMPLATES = PACKAGE / "templates"
LIBRARY = PACKAGE / "support" / "src" / "lib"


@pytest.mark.slow
def test_the_wheel_holds_every_template_and_the_support_library(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(tmp_path), str(ROOT)], check=True, timeout=300)
    (wheel,) = tmp_path.glob("fastbackend-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = {"fastbackend_express/templates/" + path.relative_to(TEMPLATES).as_posix()
                for path in TEMPLATES.rglob("*") if path.is_file()}
    library = {"fastbackend_express/support/src/lib/" + path.name for path in LIBRARY.glob("*.ts")}
    assert len(expected) > 10 and len(library) > 15
    assert (expected | library) - names == set()
    assert "fastbackend_express/py.typed" in names
