"""Apps under test: every behaviour test runs on SQLite and on PostgreSQL (CI requires both)."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.conftest import GOLDEN

with warnings.catch_warnings():
    # starlette asks for httpx2, which is not released for this stack yet; httpx works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from fastbackend_fastapi import create_app
from fastbackend_fastapi.contract import recorded
from fastbackend_ir import IR, load

BLOG = GOLDEN / "blog.ir.json"
KITCHEN = GOLDEN / "kitchen.ir.json"
MakeClient = Callable[[Path], TestClient]


@functools.cache
def served(ir_path: Path) -> IR:
    """The IR of ``ir_path`` as the runtime serves it, loaded once per worker. Thousands of
    tests start an app of the same few IRs; given one object, the runtime's per-IR work (the
    contract of an IR older than 1.2, as the kitchen's is, the cursor key's digest of the whole
    IR, the query vocabulary) is done once instead of in every test."""
    return recorded(load(ir_path))


def start_app(ir_path: Path, database_url: str, **options: Any) -> FastAPI:
    """``create_app`` on ``served(ir_path)``, with the project folder a path would give."""
    options.setdefault("project_path", ir_path.resolve().parent.parent)
    return create_app(served(ir_path), database_url=database_url, **options)


@pytest.fixture
def make_client(database_url: str, tmp_path: Path) -> Iterator[MakeClient]:
    """Starts apps on the test's database; each is shut down (engine disposed) at the end."""
    started = ExitStack()  # each app shut down (engine disposed) at the end

    def make(ir_path: Path) -> TestClient:
        app = start_app(ir_path, database_url, custom_path=None)
        return started.enter_context(TestClient(app))

    with started:
        yield make


@pytest.fixture(scope="module")
def shared_blog(module_database_url: str) -> Iterator[TestClient]:
    """One blog app per test module and database, for tests that write nothing that stays
    (refusals, reads of an empty database): they share it instead of paying for an app each."""
    with TestClient(start_app(BLOG, module_database_url, custom_path=None)) as client:
        yield client


@pytest.fixture(scope="module")
def shared_kitchen(module_database_url: str) -> Iterator[TestClient]:
    """The kitchen's ``shared_blog``."""
    with TestClient(start_app(KITCHEN, module_database_url, custom_path=None)) as client:
        yield client


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
