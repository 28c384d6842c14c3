"""`fastbackend build`: a folder that plain uvicorn serves without the compiler."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fastbackend.cli.main import cli
from fastbackend.runtimes import load_runtime
from fastbackend.targets import available
from tests import local_http
from tests.cli.helpers import ROOT
from tests.e2e.processes import answers, free_port, running, wait_until


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    CliRunner().invoke(cli, ["init", str(folder), "-q"], catch_exceptions=False)
    return folder


def build(*args: str) -> Result:
    return CliRunner().invoke(cli, ["build", *args], catch_exceptions=False)


def test_build_writes_the_ir_an_entry_point_custom_routes_and_requirements(project: Path) -> None:
    result = build(str(project))
    assert result.exit_code == 0, result.output
    assert "built" in result.stdout and "python -m fastbackend_fastapi.serve main:app" in result.stdout
    out = project / "build"
    # uvloop and httptools, the fast server stack for production (issue #28)
    assert "uvicorn[standard]>=0.30" in (out / "requirements.txt").read_text("utf-8").splitlines()
    assert json.loads((out / "ir.json").read_text("utf-8"))["irVersion"]
    main = (out / "main.py").read_text("utf-8")
    assert ('create_app(HERE / "ir.json", custom_path=HERE / "app" / "custom", '
            'project_path=HERE)') in main
    assert "fastbackend " not in main.split('"""', 2)[2]  # the entry point needs no compiler
    for copied in ("app/custom/hello.py", "app/custom/keep_authors.py", "fastbackend.yaml"):
        assert (out / copied).read_bytes() == (project / copied).read_bytes()
    if "openapi" in available():
        assert "/authors" in (out / "openapi.yaml").read_text("utf-8")
    again = build(str(project), "--json")
    assert json.loads(again.stdout)["written"] == []  # only what changed is written


def test_a_custom_router_removed_from_the_project_leaves_the_build(project: Path) -> None:
    assert build(str(project), "-q").exit_code == 0
    (project / "app" / "custom" / "hello.py").unlink()
    result = build(str(project), "--json")
    assert json.loads(result.stdout)["removed"] == ["app/custom/hello.py"]
    assert not (project / "build" / "app" / "custom" / "hello.py").exists()


def test_build_into_another_folder(project: Path, tmp_path: Path) -> None:
    result = build(str(project / "models.py"), "--out", str(tmp_path / "dist"), "-q")
    assert result.exit_code == 0 and result.stdout == ""
    openapi = ["openapi.yaml"] if "openapi" in available() else []
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == sorted([
        "app", "fastbackend.yaml", "ir.json", "main.py", "requirements.txt", *openapi])


def test_build_of_models_that_do_not_compile_exits_3(project: Path) -> None:
    (project / "models.py").write_text("class Broken(:\n", "utf-8")
    result = build(str(project))
    assert result.exit_code == 3 and "error FB101" in result.stderr
    assert not (project / "build").exists()


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match is not None
    return match.group(0).lower()


def test_requirements_are_the_runtimes_and_agree_with_pyproject() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    runtime = load_runtime().requirements
    assert set(runtime) <= set(declared)  # same pins as the distribution
    assert {_name(r) for r in runtime}.isdisjoint({"libcst", "lark", "click", "jinja2"})


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--wheel-dir", str(dist), str(ROOT)], check=True, timeout=300)
    (built,) = dist.glob("fastbackend-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_carries_the_templates_and_registers_the_runtime(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        declared = archive.read(entry_points).decode("utf-8")
    for template in ("init/common/gitignore.tmpl", "init/sqlalchemy/models.py.tmpl",
                     "init/prisma/schema.prisma.tmpl", "docker/Dockerfile.tmpl"):
        assert f"fastbackend/templates/{template}" in names
    assert "[fastbackend.runtime]\nfastapi = fastbackend_fastapi.lifecycle:RUNTIME" in declared
    assert "[pytest11]\nfastbackend = fastbackend_fastapi.pytest_plugin" in declared


@pytest.fixture(scope="module")
def runtime_only_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the fastbackend wheel (no dependencies) and the runtime's
    requirements from PyPI: no libcst, no lark."""
    env_dir = tmp_path_factory.mktemp("runtime-venv")
    venv.create(env_dir, with_pip=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet",
           "--disable-pip-version-check"]
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True, timeout=300)
    requirements = "\n".join(load_runtime().requirements)
    (env_dir / "requirements.txt").write_text(requirements, "utf-8")
    subprocess.run([*pip, "-r", str(env_dir / "requirements.txt")], check=True, timeout=900)
    return env_dir


@pytest.mark.slow
def test_the_build_is_served_by_plain_uvicorn_without_the_compiler(
        project: Path, runtime_only_venv: Path, tmp_path: Path) -> None:
    # custom code that imports the project's own modules, as production code does
    (project / "app" / "greeting.py").write_text('WORD = "Hej"\n', "utf-8")
    hello_py = project / "app" / "custom" / "hello.py"
    hello_py.write_text(hello_py.read_text("utf-8").replace('f"Hello, {name}!"', 'f"{WORD}, {name}!"')
                        .replace("from fastapi import APIRouter", "from fastapi import APIRouter\n\n"
                                 "from app.greeting import WORD"), "utf-8")
    assert build(str(project), "-q").exit_code == 0
    python = runtime_only_venv / "bin" / "python"
    for module in ("libcst", "lark"):
        missing = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True,
                                 text=True, timeout=60, check=False)
        assert missing.returncode == 1 and "ModuleNotFoundError" in missing.stderr
    port = free_port()
    log = tmp_path / "uvicorn.log"
    command = [str(runtime_only_venv / "bin" / "uvicorn"), "main:app", "--host", "127.0.0.1",
               "--port", str(port)]
    with running(command, project / "build", log) as server:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers(base + "/healthz"), 60, "the built app", server, log)
        created = local_http.post(base + "/authors", json={"email": "prod@example.com"}, timeout=10)
        assert created.status_code == 201, created.text
        assert local_http.get(base + created.headers["location"], timeout=10).json()["email"] == \
            "prod@example.com"
        assert local_http.get(base + "/hello", timeout=10).json() == {"message": "Hej, world!"}
        assert local_http.delete(base + created.headers["location"], timeout=10).status_code == 405
    assert "Traceback" not in log.read_text("utf-8")
