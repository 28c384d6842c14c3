"""A real browser (Debian's chromium, driven by playwright-core) opens /docs and /redoc with no
network and finds every operation rendered. Screenshots: .artifacts/clients/docs.png and
redoc.png (git-ignored), kept for people to look at."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fastbackend_openapi import emit
from tests.clients.conftest import PROGRAMS, blog_ir, run
from tests.clients.server import live_server
from tests.conftest import ROOT
from tests.services import unavailable

ARTIFACTS = ROOT / ".artifacts" / "clients"
CHROMIUM = Path("/usr/bin/chromium")
METHODS = {"get", "put", "post", "delete", "patch"}
REDOC_CREDIT = "https://cdn.redoc.ly/redoc/logo-mini.svg"

pytestmark = [pytest.mark.node, pytest.mark.slow]


def test_docs_and_redoc_render_every_operation_offline(tmp_path: Path) -> None:
    if not CHROMIUM.exists() or shutil.which("node") is None:
        unavailable("Debian's chromium and node are needed (make setup installs chromium in CI)")
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        unavailable("playwright-core is missing (make setup runs npm ci)")
    ir = blog_ir()
    operations = sum(1 for item in emit(ir)["paths"].values() for method in item
                     if method in METHODS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with live_server(ir, tmp_path) as url:
        output = run(["node", str(PROGRAMS / "docs_pages.js"), url, str(ARTIFACTS)], ROOT,
                     timeout=900)
    found = json.loads(output.strip().splitlines()[-1])
    # Nothing else was asked of the network. ReDoc's side menu ends with a "Redocly" credit
    # image it loads from its CDN, and hides when it cannot load: nothing the page needs.
    assert set(found["outside"]) <= {REDOC_CREDIT}, found["outside"]
    for page in ("swagger", "redoc"):
        assert found[page]["errors"] == [], found[page]
        assert found[page]["operations"] == operations, found[page]
        assert found[page]["mentionsCreatePost"], found[page]
    assert (ARTIFACTS / "docs.png").stat().st_size > 10_000
