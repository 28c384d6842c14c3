"""The wheel carries every template of the Express emitter (hatch includes package data)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "adapters" / "fastbackend_express" / "templates"


@pytest.mark.slow
def test_the_wheel_holds_every_template(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(tmp_path), str(ROOT)], check=True, timeout=300)
    (wheel,) = tmp_path.glob("fastbackend-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = {"fastbackend_express/templates/" + path.relative_to(TEMPLATES).as_posix()
                for path in TEMPLATES.rglob("*") if path.is_file()}
    assert len(expected) > 20
    assert expected - names == set()
    assert "fastbackend_express/py.typed" in names
