"""app/custom/**/*.py routers and @override: discovery, OpenAPI, startup errors, warnings."""

from __future__ import annotations

import logging
import shutil
import textwrap
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fastbackend_fastapi import OverrideError, create_app
from tests.adapters.fastapi.conftest import BLOG

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SEED_EXAMPLE = """
from fastapi import APIRouter
from fastbackend_fastapi import override
router = APIRouter()
@override("/users/{id}", "GET")
async def get_user(id: int):
    return {"id": id, "name": "custom"}
"""

Project = Callable[[dict[str, str]], TestClient]


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    """A project folder with the blog IR and the given files; its app, started."""
    clients: list[TestClient] = []

    def make(files: dict[str, str]) -> TestClient:
        (tmp_path / ".fastbackend").mkdir(exist_ok=True)
        shutil.copy(BLOG, tmp_path / ".fastbackend" / "ir.json")
        for name, text in files.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(textwrap.dedent(text))
        client = TestClient(create_app(tmp_path / ".fastbackend" / "ir.json"))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def test_the_seed_example_overrides_get_user(project: Project) -> None:
    client = project({"app/custom/users.py": SEED_EXAMPLE})
    response = client.get("/users/1")
    assert response.status_code == 200
    assert response.json() == {"id": 1, "name": "custom"}


def test_an_override_replaces_only_its_method(project: Project) -> None:
    client = project({"app/custom/users.py": SEED_EXAMPLE})
    created = client.post("/users", json={"email": "a@x.io", "name": "A"})
    assert created.status_code == 201, created.text
    key = created.json()["id"]
    patched = client.patch(f"/users/{key}", json={"name": "B"})
    assert patched.status_code == 200 and patched.json()["name"] == "B"
    assert client.get(f"/users/{key}").json() == {"id": key, "name": "custom"}


def test_the_override_is_in_the_openapi_in_place_of_the_generated_operation(
        project: Project) -> None:
    client = project({"app/custom/users.py": SEED_EXAMPLE})
    item = client.get("/openapi.json").json()["paths"]["/users/{key}"]
    assert "get_user" in item["get"]["operationId"]  # FastAPI's id for the override's handler
    assert item["patch"]["operationId"] == "updateUser"  # still the generated one


def test_a_commented_out_decorator_does_nothing(project: Project) -> None:
    text = SEED_EXAMPLE.replace('@override("/users/{id}", "GET")',
                                '# @override("/users/{id}", "GET")')
    client = project({"app/custom/users.py": text})
    response = client.get("/users/1")
    assert response.status_code == 404  # the generated route: no such user
    assert response.headers["content-type"] == "application/problem+json"


def test_an_override_of_a_route_that_does_not_exist_stops_startup(project: Project) -> None:
    text = SEED_EXAMPLE.replace("/users/{id}", "/people/{id}")
    with pytest.raises(OverrideError, match=r"no generated route GET /people/\{id\}"):
        project({"app/custom/users.py": text})


def test_an_override_with_a_method_that_is_not_generated_stops_startup(project: Project) -> None:
    text = SEED_EXAMPLE.replace('"/users/{id}", "GET"', '"/users/{id}", "POST"')
    with pytest.raises(OverrideError, match="POST /users/"):
        project({"app/custom/users.py": text})


SHADOW = """
from fastapi import APIRouter
router = APIRouter()
@router.get("/users/{user_id}")
async def mine(user_id: int):
    return {"mine": user_id}
"""


def test_a_custom_route_that_shadows_a_generated_one_is_a_warning(
        project: Project, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fastbackend_fastapi"):
        client = project({"app/custom/shadow.py": SHADOW})
    assert any("shadows the generated route GET /users/{}" in r.getMessage()
               for r in caplog.records)
    assert client.get("/users/7").json() == {"mine": 7}


def test_no_warning_without_shadowing(project: Project, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fastbackend_fastapi"):
        project({"app/custom/users.py": SEED_EXAMPLE})
    assert not [r for r in caplog.records if "shadows" in r.getMessage()]


NESTED = """
from fastapi import APIRouter
router = APIRouter()
@router.get("/stats/users")
async def stats() -> dict[str, int]:
    return {"users": 0}
"""


def test_routers_in_subfolders_are_discovered_and_documented(project: Project) -> None:
    client = project({"app/custom/admin/stats.py": NESTED,
                      "app/custom/_private.py": "raise RuntimeError('never imported')\n"})
    assert client.get("/stats/users").json() == {"users": 0}
    assert "/stats/users" in client.get("/openapi.json").json()["paths"]


def test_custom_code_imports_project_modules(project: Project) -> None:
    helper = "def greeting() -> str:\n    return 'hello'\n"
    route = """
    from fastapi import APIRouter
    from app.texts import greeting
    router = APIRouter()
    @router.get("/hello")
    async def hello() -> dict[str, str]:
        return {"text": greeting()}
    """
    client = project({"app/__init__.py": "", "app/texts.py": helper,
                      "app/custom/hello.py": route})
    assert client.get("/hello").json() == {"text": "hello"}
