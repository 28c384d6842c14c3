"""Same input, same bytes: the example IRs compiled as if on two machines.

Each run differs in what a machine can differ in: the project's absolute path, the working
directory the command runs from (and so how SOURCE is spelled), PYTHONHASHSEED, time zone and
locale. ir.json and ir.map.json must come out byte for byte the same.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import ROOT

pytestmark = pytest.mark.slow
EXAMPLES = ("blog", "blog-prisma")
MACHINES = (
    {"PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C"},
    {"PYTHONHASHSEED": "4242", "TZ": "Asia/Kolkata", "LC_ALL": "C.UTF-8"},
)


def _copy(example: Path, to: Path) -> Path:
    shutil.copytree(example, to, ignore=shutil.ignore_patterns(".fastbackend", "__pycache__"))
    return to


def _compile(source: str, cwd: Path, machine: dict[str, str]) -> None:
    fastbackend = Path(sys.executable).parent / "fastbackend"
    done = subprocess.run([str(fastbackend), "compile", source, "--target", "ir"], cwd=cwd,
                          env={**os.environ, **machine}, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_ir_is_byte_identical_across_machines(name: str, tmp_path: Path) -> None:
    example = ROOT / "examples" / name
    first = _copy(example, tmp_path / "home" / "alice" / "src" / name)
    second = _copy(example, tmp_path / "srv" / "ci" / "workspace" / "checkout-2" / name)
    _compile(".", first, MACHINES[0])  # from inside the project, SOURCE spelled "."
    _compile(f"checkout-2/{name}", second.parent.parent, MACHINES[1])  # from two levels up
    for output in ("ir.json", "ir.map.json"):
        a = (first / ".fastbackend" / output).read_bytes()
        b = (second / ".fastbackend" / output).read_bytes()
        assert a == b, output
        assert str(tmp_path).encode() not in a, f"{output} holds an absolute path"
        assert b"\r\n" not in a and a.endswith(b"}\n")
