"""The documents real client generators read, and the tools they run with."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from fastbackend.pipeline import compile_path
from fastbackend_ir import IR, ApiInfo, load
from fastbackend_openapi import emit, to_json
from tests.conftest import GOLDEN, ROOT
from tests.services import unavailable

NODE_BIN = ROOT / "node_modules" / ".bin"
PROGRAMS = Path(__file__).parent / "programs"


def blog_ir() -> IR:
    """examples/blog as its project would declare it (fastbackend.yaml: api.title)."""
    ir = compile_path(ROOT / "examples" / "blog" / "models.py")[1].ir
    return replace(ir, api=ApiInfo(title="Blog API", version="1.0.0"))


def kitchen_ir() -> IR:
    """Composite keys, an enum, every logical type, one-to-one and many-to-many."""
    return replace(load(GOLDEN / "kitchen.ir.json"), api=ApiInfo(title="Kitchen API"))


IRS = {"blog": blog_ir, "kitchen": kitchen_ir}


def write_document(name: str, folder: Path) -> Path:
    path = folder / f"{name}.openapi.json"
    path.write_text(to_json(emit(IRS[name]())), "utf-8")
    return path


def run(command: list[str], cwd: Path, timeout: float = 300) -> str:
    """Run a tool; its whole output, or an AssertionError with it when it fails."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{output}"
    return output


def node_tool(name: str) -> Path:
    tool = NODE_BIN / name
    if shutil.which("node") is None or not tool.exists():
        unavailable(f"node or {name} is missing (make setup runs npm ci)")
    return tool


def python_client(document: Path, out: Path) -> str:
    """openapi-python-client's output; post hooks off (they run ruff from PATH, not ours)."""
    config = out.parent / f"{out.name}.config.yaml"
    config.write_text("post_hooks: []\n", "utf-8")
    tool = Path(sys.executable).parent / "openapi-python-client"
    return run([str(tool), "generate", "--path", str(document), "--output-path", str(out),
                "--config", str(config)], out.parent)


def typescript_client(document: Path, out: Path) -> str:
    return run([str(node_tool("openapi-ts")), "--input", str(document), "--output", str(out)],
               out.parent)


def typescript_project(client: Path, folder: Path, program: str | None = None) -> Path:
    """``folder`` holding the generated client (./client), the program and its tsconfig."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(client, folder / "client")
    shutil.copy(PROGRAMS / "tsconfig.json", folder)
    if program is not None:
        shutil.copy(PROGRAMS / program, folder)
    return folder


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("documents")
    return {name: write_document(name, folder) for name in IRS}
