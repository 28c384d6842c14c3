"""Both servers of the blog with the same operations settings in the environment, for the tests
that compare their operations answers (metrics, rate limits): an Express instance of its own
and the FastAPI runtime in-process, on the Express server's database."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from fastbackend_fastapi import create_app
from fastbackend_fastapi.settings import from_environment
from tests.adapters.express.harness import load_ir
from tests.adapters.express.servers import Server, Servers

with warnings.catch_warnings():
    # starlette asks for httpx2, which is not released for this stack yet; httpx works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@contextmanager
def express_blog(servers: Servers, env: Mapping[str, str],
                 name: str = "blog") -> Iterator[httpx.Client]:
    instance = servers.another_instance(name, dict(env))
    with instance.client() as client:
        yield client


@contextmanager
def fastapi_blog(servers: Servers, env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch,
                 tmp_path: Path, name: str = "blog") -> Iterator[TestClient]:
    server: Server = servers.get(name)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    app = create_app(load_ir(name), database_url=server.database_url, custom_path=None,
                     settings=from_environment({}), project_path=tmp_path)
    with TestClient(app) as client:
        yield client
