"""Auth dependencies on the generated routes: 401 and 403 as problem+json, per operation."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import MakeClient, problem
from tests.adapters.fastapi.tenancy import bearer, write_project


@pytest.fixture
def app(make_client: MakeClient, tmp_path: Path) -> TestClient:
    return make_client(write_project(tmp_path / "project"))


def _seed(app: TestClient) -> tuple[int, int]:
    project = app.post("/projects", json={"name": "P"}, headers=bearer("alice"))
    assert project.status_code == 201, project.text
    task = app.post(f"/projects/{project.json()['id']}/tasks", json={"title": "T"},
                    headers=bearer("alice"))
    assert task.status_code == 201, task.text
    return project.json()["id"], task.json()["id"]


def test_every_route_of_a_protected_model_answers_401_without_credentials(
        app: TestClient) -> None:
    project, task = _seed(app)
    calls = [("GET", "/projects", None), ("POST", "/projects", {"name": "x"}),
             ("GET", f"/projects/{project}", None), ("PATCH", f"/projects/{project}", {}),
             ("PUT", f"/projects/{project}", {"name": "y"}), ("DELETE", f"/projects/{project}", None),
             ("GET", f"/projects/{project}/tasks", None), ("GET", f"/tasks/{task}/project", None),
             ("POST", f"/projects/{project}/tasks", {"title": "z"}),
             ("GET", "/tasks", None), ("PUT", f"/tasks/{task}/tags/1", None)]
    for method, path, body in calls:
        response = app.request(method, path, json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert problem(response)["type"] == "https://fastbackend.dev/problems/unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_bad_token_is_401_too(app: TestClient) -> None:
    response = app.get("/projects", headers=bearer("mallory"))
    assert response.status_code == 401
    assert problem(response)["detail"] == "unknown token"


def test_a_forbidden_operation_is_403_problem_json(app: TestClient) -> None:
    _, task = _seed(app)
    response = app.delete(f"/tasks/{task}", headers=bearer("alice"))
    assert response.status_code == 403
    body = problem(response)
    assert body["type"] == "https://fastbackend.dev/problems/forbidden"
    assert body["detail"] == "admins only"
    assert app.get(f"/tasks/{task}", headers=bearer("alice")).status_code == 200  # still there


def test_the_per_operation_dependency_lets_the_right_user_through(app: TestClient) -> None:
    _, task = _seed(app)
    assert app.delete(f"/tasks/{task}", headers=bearer("root")).status_code == 204
    assert app.get(f"/tasks/{task}", headers=bearer("root")).status_code == 404


def test_a_model_without_auth_stays_public(app: TestClient) -> None:
    created = app.post("/tags", json={"name": "urgent"})
    assert created.status_code == 201
    assert app.get("/tags").json()["meta"]["total"] == 1


def test_filled_fields_come_from_the_current_user(app: TestClient) -> None:
    created = app.post("/projects", json={"name": "Mine"}, headers=bearer("root"))
    assert created.status_code == 201
    assert created.json()["owner_id"] == 3 and created.json()["tenant_id"] == 1


@pytest.mark.parametrize("field", ["owner_id", "tenant_id"])
def test_filled_fields_are_refused_from_the_client(app: TestClient, field: str) -> None:
    response = app.post("/projects", json={"name": "x", field: 99}, headers=bearer("alice"))
    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"pointer": f"/{field}", "code": "read_only", "message": f"{field} is read-only"}]
    project, _ = _seed(app)
    patched = app.patch(f"/projects/{project}", json={field: 99}, headers=bearer("alice"))
    assert patched.status_code == 422


def test_a_replace_keeps_the_filled_fields(app: TestClient) -> None:
    project, _ = _seed(app)
    replaced = app.put(f"/projects/{project}", json={"name": "Q"}, headers=bearer("root"))
    assert replaced.status_code == 200
    assert replaced.json() == {"id": project, "tenant_id": 1, "owner_id": 1, "name": "Q"}


def test_dependency_overrides_work_as_on_any_fastapi_route(app: TestClient) -> None:
    """Tests of a user's project can sign in with app.dependency_overrides, as FastAPI documents."""
    import sys

    auth_module = sys.modules["app.auth"]
    fastapi_app = app.app
    fastapi_app.dependency_overrides[auth_module.current_user] = (  # type: ignore[attr-defined]
        lambda: {"id": 9, "tenant": 5, "admin": True})
    created = app.post("/projects", json={"name": "as-9"})
    assert created.status_code == 201
    assert (created.json()["owner_id"], created.json()["tenant_id"]) == (9, 5)
