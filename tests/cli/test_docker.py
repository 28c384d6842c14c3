"""`fastbackend docker:build`: the build folder with its wheels, Dockerfile and .dockerignore, and
what happens with and without a Docker engine (a fake `docker` on PATH stands in for one;
test_docker_image.py installs and runs what the Dockerfile does)."""

from __future__ import annotations

import os
import stat
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fastbackend.__about__ import __version__
from fastbackend.cli.main import cli
from tests.cli.helpers import sqlalchemy_project

ENGINE_UP = """#!/bin/sh
echo "$@" >> "$(dirname "$0")/calls.log"
case "$1" in
  info) echo 27.0.1 ;;
  build) echo "Successfully built" ;;
esac
"""
ENGINE_DOWN = """#!/bin/sh
echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2
exit 1
"""
BUILD_FAILS = ENGINE_UP.replace('echo "Successfully built"', 'echo "step 3 failed" >&2; exit 7')


# Every test but the last builds the project's wheels (the `built` fixture): the slow lane.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project, built with --no-build once (wheels take seconds); the engine tests build it
    again, which rewrites only the checkout's own wheel."""
    project = sqlalchemy_project(tmp_path_factory.mktemp("docker") / "blog").parent
    result = docker_build(project, "--no-build")
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def project(built: Path) -> Path:
    return built


def fake_docker(folder: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder.mkdir()
    docker = folder / "docker"
    docker.write_text(script, "utf-8")
    docker.chmod(docker.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}/usr/bin:/bin")
    return folder / "calls.log"


def docker_build(project: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["docker:build", str(project), *args], catch_exceptions=False)


def test_no_build_writes_the_build_folder_with_wheels_and_a_dockerfile(built: Path) -> None:
    context = built / "build"
    dockerfile = (context / "Dockerfile").read_text("utf-8")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"ARG PYTHON_IMAGE=python:{python}-slim" in dockerfile  # the wheels' Python
    assert "COPY wheels/ /tmp/wheels/" in dockerfile
    assert f"--no-index --find-links /tmp/wheels --no-deps fastbackend=={__version__}" in dockerfile
    assert "-r /tmp/wheels/requirements.txt" in dockerfile
    assert "fastbackend build" not in dockerfile.split("FROM", 1)[1]  # no compiler in the image
    assert "useradd" in dockerfile and "\nUSER app\n" in dockerfile
    assert ('CMD ["python", "-m", "fastbackend_fastapi.serve", "main:app", "--host", "0.0.0.0", '
            '"--port", "8000"') in dockerfile
    # the build's own files go to /app (wheels/ does not); an init project's app/ is copied too
    # (test_docker_image.py serves one)
    assert ('COPY --chown=app:app ["ir.json", "main.py", "openapi.yaml", "requirements.txt", '
            '"/app/"]') in dockerfile
    wheels = {path.name.split("-", 1)[0] for path in (context / "wheels").glob("*.whl")}
    assert {"fastbackend", "fastapi", "uvicorn", "uvloop", "httptools", "sqlalchemy"} <= wheels
    assert not {"libcst", "lark", "alembic"} & wheels  # the compiler's stay out
    pinned = (context / "wheels" / "requirements.txt").read_text("utf-8")
    assert f"fastapi=={version('fastapi')}" in pinned
    ignored = (context / ".dockerignore").read_text("utf-8").splitlines()
    assert {".env", "*.db"} <= set(ignored)
    again = docker_build(built, "--no-build")
    assert "wrote build/Dockerfile" not in again.stdout  # unchanged files are not rewritten


def test_without_an_engine_it_says_the_dockerfile_is_ready_and_exits_1(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_docker(tmp_path / "bin", ENGINE_DOWN, monkeypatch)
    result = docker_build(project)
    assert result.exit_code == 1
    assert "the Dockerfile is ready, but no Docker engine was found" in result.stderr
    assert "Cannot connect to the Docker daemon" in result.stderr
    assert "docker build -t blog" in result.stderr
    assert (project / "build" / "Dockerfile").is_file()


def test_without_the_docker_command_it_says_so(project: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = docker_build(project)
    assert result.exit_code == 1
    assert "(the docker command is not installed)" in result.stderr


def test_with_an_engine_it_builds_with_the_tag(project: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_docker(tmp_path / "bin", ENGINE_UP, monkeypatch)
    result = docker_build(project, "--tag", "registry.example.com/blog:1.2")
    assert result.exit_code == 0, result.output
    assert "built image registry.example.com/blog:1.2" in result.stdout
    assert calls.read_text("utf-8").splitlines() == [
        "info --format {{.ServerVersion}}",
        f"build -t registry.example.com/blog:1.2 {project / 'build'}"]


def test_a_failed_docker_build_exits_1(project: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fake_docker(tmp_path / "bin", BUILD_FAILS, monkeypatch)
    result = docker_build(project)
    assert result.exit_code == 1
    assert "error: docker build failed (exit 7)" in result.stderr


def test_a_folder_without_a_schema_exits_3(tmp_path: Path) -> None:
    result = docker_build(tmp_path, "--no-build")
    assert result.exit_code == 3 and "FB001" in result.stderr
    assert not (tmp_path / "build").exists()
