"""The image `docker:build` describes: its install step in a plain virtualenv, offline, from the
wheels it prepared, then its CMD serving the build; and a real `docker build` where a Docker
daemon answers.

There is no Docker daemon on the development machines nor in CI (docs: /work/shared/notes), so
the real build skips there with that reason, even with FASTBACKEND_REQUIRE_SERVICES=1: the venv
test is what checks the Dockerfile's steps everywhere.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from fastbackend.cli.docker import engine_problem
from fastbackend.cli.main import cli
from tests import local_http
from tests.e2e.image import INSTALL_TIMEOUT_S, image_command, imports, install_like_the_image
from tests.e2e.processes import answers, free_port, running, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`fastbackend init notes`, then `docker:build --no-build`: the image's build context."""
    folder = tmp_path_factory.mktemp("image") / "notes"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(folder), "-q"], catch_exceptions=False).exit_code == 0
    built = runner.invoke(cli, ["docker:build", str(folder), "--no-build"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    return folder / "build"


def test_the_install_step_runs_offline_in_a_plain_venv_and_serves(context: Path,
                                                                   tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    install = install_like_the_image(context, environment)
    assert "--no-index" in install  # every wheel is there: nothing comes from an index
    for module, present in (("libcst", False), ("lark", False), ("uvloop", True),
                            ("httptools", True)):
        assert imports(environment, module) is present, module
    port = free_port()
    log = tmp_path / "server.log"
    with running(image_command(context, environment, port), context, log) as server:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers(base + "/healthz"), 60, "the image's CMD", server, log)
        created = local_http.post(base + "/authors", json={"email": "image@example.com"}, timeout=10)
        assert created.status_code == 201, created.text
        assert local_http.get(base + "/hello", timeout=10).json() == {"message": "Hello, world!"}
    assert "Traceback" not in log.read_text("utf-8")


def test_a_real_docker_build(context: Path) -> None:
    problem = engine_problem()
    if problem is not None:
        pytest.skip(f"no Docker daemon answers here ({problem}); CI has none either, so the "
                    "install step is checked in a plain venv instead")
    tag = f"fastbackend-test-{os.getpid()}"
    done = subprocess.run(["docker", "build", "-t", tag, str(context)], capture_output=True,
                          text=True, timeout=INSTALL_TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    subprocess.run(["docker", "image", "rm", tag], capture_output=True, timeout=60, check=False)
