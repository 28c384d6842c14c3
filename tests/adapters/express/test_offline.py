"""The emitted README's offline path, run as written, and Prisma's `db push` refused loudly.

`prisma db push` needs Prisma's schema engine from the network; with the offline stand-in
(PRISMA_SCHEMA_ENGINE_BINARY=/bin/true) it printed success and created no table. The README
documents the path that works offline, `fastbackend migrate --apply`; this runs its commands.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import local_http
from tests.adapters.express.harness import PRISMA_OFFLINE, TIMEOUT, render, write_project
from tests.cli.helpers import BLOG_MODELS, table_names
from tests.e2e.processes import answers, free_port, running, wait_until

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def project(express_node_modules: Path, tmp_path: Path) -> Path:
    folder = write_project(render("blog"), tmp_path / "server")
    (folder / "node_modules").symlink_to(express_node_modules, target_is_directory=True)
    return folder


def _environment(database_url: str) -> dict[str, str]:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, "DATABASE_URL": database_url.replace("+psycopg", "", 1),
            "CHECKPOINT_DISABLE": "1", "PRISMA_HIDE_UPDATE_MESSAGE": "1"}


def readme_commands(readme: str) -> list[str]:
    """The commands of the README's first shell block, comments dropped."""
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("command", [["db", "push"], ["migrate", "deploy"]])
def test_prisma_db_push_and_migrate_are_refused_loudly(project: Path, postgres_url: str,
                                                       command: list[str]) -> None:
    done = subprocess.run([str(project / "node_modules" / ".bin" / "prisma"), *command],
                          cwd=project, env={**_environment(postgres_url), **PRISMA_OFFLINE},
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "fastbackend migrate --apply" in done.stdout + done.stderr
    assert table_names(postgres_url) == set()


def test_the_readme_offline_path_serves(project: Path, postgres_url: str, tmp_path: Path) -> None:
    commands = readme_commands((project / "README.md").read_text("utf-8"))
    assert commands[0] == "npm ci" and commands[-1].endswith("npm start")
    fastbackend_project = tmp_path / "blog"  # where the README says to run fastbackend
    fastbackend_project.mkdir()
    shutil.copy(BLOG_MODELS, fastbackend_project / "models.py")
    environment = _environment(postgres_url)
    for command in commands[1:-1]:  # node_modules is linked: no npm ci
        if command.startswith("export DATABASE_URL="):
            continue  # the test's own database
        cwd = fastbackend_project if command.startswith("fastbackend ") else project
        done = subprocess.run(["bash", "-c", f"set -e; {_exports(commands)}{command}"], cwd=cwd,
                              env=environment, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
        assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    assert {"users", "posts", "tags", "post_tags"} <= table_names(postgres_url)
    # `npm start`, without npm in between: npm does not pass a stop signal on to node.
    assert commands[-1] == "PORT=3000 npm start"
    start = json.loads((project / "package.json").read_text("utf-8"))["scripts"]["start"]
    port = free_port()
    log = tmp_path / "server.log"
    with running(start.split(), project, log, env={
            "DATABASE_URL": environment["DATABASE_URL"], "PORT": str(port),
            "HOST": "127.0.0.1"}) as server:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers(base + "/healthz"), 60, "the Express server", server, log)
        created = local_http.post(base + "/users", json={"email": "offline@example.com"}, timeout=10)
        assert created.status_code == 201, created.text


def _exports(commands: list[str]) -> str:
    """The README's `export` lines other than DATABASE_URL, ahead of each command."""
    return "".join(f"{line}; " for line in commands
                   if line.startswith("export ") and not line.startswith("export DATABASE_URL"))
