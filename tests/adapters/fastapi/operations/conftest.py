"""Apps with an `operations` section in their project's fastbackend.yaml (docs/operations.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import BLOG, start_app

MakeOps = Callable[..., TestClient]


@pytest.fixture
def make_ops(database_url: str, tmp_path: Path) -> Iterator[MakeOps]:
    """``make_ops(operations={...}, files={...})``: an app of the blog whose project folder
    holds that fastbackend.yaml (JSON is YAML) and those files; shut down at the end."""
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
        app = start_app(BLOG, database_url, custom_path=None, project_path=project)
        return started.enter_context(TestClient(app))

    with started:
        yield make
