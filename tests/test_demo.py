"""`make demo` runs examples/demo.py: it compiles the blog, migrates its database, seeds it once,
and serves it with the runtime's graceful server, needing no development extra (`make demo`
installs the runtime only: the demo runs here with those packages made unimportable)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests import local_http

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_serving(url: str, process: subprocess.Popen[str]) -> None:
    """Until the seeded blog answers: the demo seeds its server over HTTP once it listens, and
    the link of post 2 to tag 2 is the last row it writes."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            last = local_http.get(f"{url}/posts/2/tags", timeout=1)
            if last.status_code == 200 and last.json()["data"]:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("the demo did not serve its seeded blog within 60 s")


# Installed by `.[dev]` only; a sitecustomize on PYTHONPATH (inherited by the server process)
# makes importing them fail, as in the venv `make demo` sets up.
DEV_ONLY = ("httpx", "pytest", "hypothesis", "schemathesis", "greenlet")
BLOCKER = f"""import sys
from importlib.abc import MetaPathFinder

from tests import local_http


class DevOnly(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {DEV_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (a development extra)")


sys.meta_path.insert(0, DevOnly())
"""


def _run_demo(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    blocker = data_dir.parent / "runtime-only"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(BLOCKER, "utf-8")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "demo.py"), "--port", str(port),
         "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(blocker)})
    url = f"http://127.0.0.1:{port}"
    _wait_until_serving(url, process)
    return process, url


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output  # the graceful server exits 0 after SIGTERM
    return output


def test_demo_serves_the_seeded_blog_with_docs_and_keeps_data(tmp_path: Path) -> None:
    process, url = _run_demo(tmp_path)
    try:
        posts = local_http.get(f"{url}/posts", params={"sort": "id"}).json()
        assert [p["title"] for p in posts["data"]] == [
            "Notes on the Analytical Engine", "Computing Machinery"]
        assert posts["meta"]["total"] == 2
        tags = local_http.get(f"{url}/posts/1/tags").json()["data"]
        assert sorted(t["name"] for t in tags) == ["api", "python"]
        assert local_http.get(f"{url}/docs").status_code == 200
        root = local_http.get(f"{url}/")
        assert root.status_code == 307 and root.headers["location"] == "/docs"
        created = local_http.post(f"{url}/users", json={"email": "grace@example.com"})
        assert created.status_code == 201
    finally:
        output = _stop(process)
    assert "seeded" in output and "Traceback" not in output
    assert "create table users" in output and "applied" in output
    (revision,) = (tmp_path / "migrations" / "versions").glob("*.py")
    assert "op.create_table('posts'" in revision.read_text("utf-8")
    process, url = _run_demo(tmp_path)  # second start: same data, no second seeding
    try:
        emails = [u["email"] for u in local_http.get(f"{url}/users").json()["data"]]
        assert emails == ["ada@example.com", "alan@example.com", "grace@example.com"]
    finally:
        output = _stop(process)
    assert "seeded" not in output
    assert "the database matches the IR; no revision written" in output
    assert len(list((tmp_path / "migrations" / "versions").glob("*.py"))) == 1


def test_make_demo_installs_the_runtime_only() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    (prerequisite,) = re.findall(r"^demo: (\S+)$", makefile, re.MULTILINE)
    recipe = makefile.split(f"\n{prerequisite}:", 1)[1].split("\n\n", 1)[0]
    installs = [line.strip() for line in recipe.splitlines() if "pip install" in line]
    assert any(line.endswith("install --quiet -e .") for line in installs), recipe
    assert "[dev]" not in recipe
