"""Real client generators read the emitted documents cleanly, and their clients work.

openapi-python-client (PyPI) and @hey-api/openapi-ts (npm) generate from the blog example and
the kitchen IR (composite keys, an enum, every logical type, many-to-many) without a warning;
`tsc --strict` accepts the TypeScript client; a small program with each client creates, bulk
creates, lists with filters and `where`, pages by cursor, reads with an ETag, PATCHes with
If-Match, gets a 412, deletes and gets a 409 problem, runs an atomic batch, a nested create
answered with its include, an upsert on a unique field and a bulk PATCH by filter, against a
live server (tests/clients/programs/).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clients.conftest import (
    PROGRAMS,
    blog_ir,
    node_tool,
    python_client,
    run,
    typescript_client,
    typescript_project,
)
from tests.clients.server import live_server

pytestmark = pytest.mark.slow
NAMES = ["blog", "kitchen"]
# What each tool prints when it skips or degrades something (openapi-python-client:
# "Warning(s) encountered while generating", "Unable to parse this part"; openapi-ts: "warn").
WARNINGS = ("warning", "unable", "skipping", "could not", "warn")
STEPS = ["created 1 + 5", "filtered", "paged 6 rows", "etag, 304, if-match, 412", "409 problem",
         "deleted", "batch", "nested, upsert, bulk update"]


def _quiet(output: str) -> None:
    lowered = output.lower()
    assert not [word for word in WARNINGS if word in lowered], output


@pytest.mark.parametrize("name", NAMES)
def test_openapi_python_client_generates_without_a_warning(
        name: str, documents: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "client"
    _quiet(python_client(documents[name], out))
    package = out / f"{name}_api_client"  # named after info.title
    operations = sorted(path.stem for path in (package / "api").rglob("*.py")
                        if path.stem != "__init__")
    assert "list_posts" in operations or "list_samples" in operations
    assert {f"bulk_create_{'posts' if name == 'blog' else 'samples'}"} <= set(operations)


@pytest.mark.node
@pytest.mark.parametrize("name", NAMES)
def test_openapi_ts_generates_without_a_warning_and_tsc_strict_accepts_it(
        name: str, documents: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "client"
    _quiet(typescript_client(documents[name], out))
    sdk = (out / "sdk.gen.ts").read_text("utf-8")
    assert "querySerializer: { parameters: { filters: { object: { style: 'form' } } } }" in sdk
    project = typescript_project(out, tmp_path / "project")
    run([str(node_tool("tsc")), "--strict", "--noEmit", "-p", "tsconfig.json"], project)


def test_a_python_program_drives_the_live_blog(documents: dict[str, Path],
                                               tmp_path: Path) -> None:
    python_client(documents["blog"], tmp_path / "client")
    with live_server(blog_ir(), tmp_path) as url:
        done = subprocess.run([sys.executable, str(PROGRAMS / "blog_python.py"), url],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(tmp_path / "client")})
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == STEPS


@pytest.mark.node
def test_a_typescript_program_compiled_strict_drives_the_live_blog(
        documents: dict[str, Path], tmp_path: Path) -> None:
    typescript_client(documents["blog"], tmp_path / "client")
    project = typescript_project(tmp_path / "client", tmp_path / "project", "blog.ts")
    run([str(node_tool("tsc")), "--strict", "-p", "tsconfig.json"], project)
    with live_server(blog_ir(), tmp_path) as url:
        done = subprocess.run(["node", str(project / "dist" / "blog.js"), url],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == STEPS
