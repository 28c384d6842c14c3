"""Apps under test: every behaviour test runs on SQLite and on PostgreSQL (CI requires both)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.conftest import GOLDEN

with warnings.catch_warnings():
    # starlette asks for httpx2, which is not released for this stack yet; httpx works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from fastbackend_fastapi import create_app

BLOG = GOLDEN / "blog.ir.json"
KITCHEN = GOLDEN / "kitchen.ir.json"
MakeClient = Callable[[Path], TestClient]



@pytest.fixture
def make_client(database_url: str, tmp_path: Path) -> Iterator[MakeClient]:
    """Starts apps on the test's database; each is shut down (engine disposed) at the end."""
    started = ExitStack()  # each app shut down (engine disposed) at the end

    def make(ir_path: Path) -> TestClient:
        app = create_app(ir_path, database_url=database_url, custom_path=None)
        return started.enter_context(TestClient(app))

    with started:
        yield make


@pytest.fixture
def blog(make_client: MakeClient) -> TestClient:
    return make_client(BLOG)


@pytest.fixture
def kitchen(make_client: MakeClient) -> TestClient:
    return make_client(KITCHEN)


def problem(response: object) -> dict[str, object]:
    """The body of a problem response, after checking its media type."""
    from httpx import Response

    assert isinstance(response, Response)
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["status"] == response.status_code
    return body


def pointers(response: object) -> list[str]:
    errors = problem(response).get("errors", [])
    assert isinstance(errors, list)
    return [error["pointer"] for error in errors]
