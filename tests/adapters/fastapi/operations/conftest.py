"""Apps with an `operations` section in their project's fastbackend.yaml (docs/operations.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from fastbackend import config
from fastbackend.passes import rate_limits
from fastbackend_fastapi import create_app
from tests.adapters.fastapi.conftest import BLOG, served, start_app

MakeOps = Callable[..., TestClient]


@pytest.fixture
def make_ops(database_url: str, tmp_path: Path) -> Iterator[MakeOps]:
    """``make_ops(operations={...}, files={...})``: an app of the blog whose project folder
    holds that fastbackend.yaml (JSON is YAML) and those files; shut down at the end. Its
    `rate_limit.routes` are decided into the IR as `fastbackend compile` decides them."""
    started = ExitStack()  # each app shut down (engine disposed) at the end

    def make(operations: dict[str, Any] | None = None, files: dict[str, str] | None = None,
             folder: str = "project") -> TestClient:
        project = tmp_path / folder
        project.mkdir(exist_ok=True)
        if operations is not None:
            (project / "fastbackend.yaml").write_text(json.dumps({"operations": operations}))
        for name, text in (files or {}).items():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            (project / name).write_text(text)
        routes = (operations or {}).get("rate_limit", {}).get("routes")
        if routes:
            text = (project / "fastbackend.yaml").read_text()
            ir = rate_limits.apply(served(BLOG), config.parse(text))
            app = create_app(ir, database_url=database_url, custom_path=None,
                             project_path=project)
        else:
            app = start_app(BLOG, database_url, custom_path=None, project_path=project)
        return started.enter_context(TestClient(app))

    with started:
        yield make
