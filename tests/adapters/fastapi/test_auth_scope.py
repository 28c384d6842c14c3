"""The row-scope hook isolates two tenants on every generated route."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import MakeClient
from tests.adapters.fastapi.tenancy import CONFIG, bearer, write_project

ALICE, BOB = bearer("alice"), bearer("bob")


@pytest.fixture
def app(make_client: MakeClient, tmp_path: Path) -> TestClient:
    return make_client(write_project(tmp_path / "project"))


def _project_with_task(app: TestClient, headers: dict[str, str], name: str) -> tuple[int, int]:
    project = app.post("/projects", json={"name": name}, headers=headers).json()["id"]
    response = app.post(f"/projects/{project}/tasks", json={"title": name}, headers=headers)
    assert response.status_code == 201, response.text
    return project, response.json()["id"]


@pytest.fixture
def rows(app: TestClient) -> dict[str, tuple[int, int]]:
    tag = app.post("/tags", json={"name": "shared"}).json()["id"]
    assert tag == 1
    return {"alice": _project_with_task(app, ALICE, "a"), "bob": _project_with_task(app, BOB, "b")}


def test_lists_and_counts_see_only_the_tenant(app: TestClient,
                                              rows: dict[str, tuple[int, int]]) -> None:
    for headers, name in ((ALICE, "a"), (BOB, "b")):
        page = app.get("/projects", headers=headers).json()
        assert [row["name"] for row in page["data"]] == [name]
        assert page["meta"]["total"] == 1
        tasks = app.get("/tasks?offset=5", headers=headers).json()  # the empty-page count
        assert tasks["meta"]["total"] == 1


def test_filters_cannot_reach_another_tenant(app: TestClient,
                                             rows: dict[str, tuple[int, int]]) -> None:
    alice_project = rows["alice"][0]
    assert app.get("/projects?tenant_id=1", headers=BOB).json()["data"] == []
    found = app.get(f"/tasks?project_id={alice_project}", headers=BOB).json()
    assert found["data"] == [] and found["meta"]["total"] == 0


def test_item_routes_answer_404_for_another_tenants_row(
        app: TestClient, rows: dict[str, tuple[int, int]]) -> None:
    project, task = rows["alice"]
    assert app.get(f"/projects/{project}", headers=BOB).status_code == 404
    assert app.patch(f"/projects/{project}", json={"name": "x"}, headers=BOB).status_code == 404
    assert app.put(f"/projects/{project}", json={"name": "x"}, headers=BOB).status_code == 404
    assert app.delete(f"/projects/{project}", headers=BOB).status_code == 404
    assert app.get(f"/tasks/{task}", headers=BOB).status_code == 404
    unchanged = app.get(f"/projects/{project}", headers=ALICE)
    assert unchanged.status_code == 200 and unchanged.json()["name"] == "a"


def test_relation_routes_answer_404_for_another_tenants_row(
        app: TestClient, rows: dict[str, tuple[int, int]]) -> None:
    project, task = rows["alice"]
    assert app.get(f"/projects/{project}/tasks", headers=BOB).status_code == 404
    assert app.post(f"/projects/{project}/tasks", json={"title": "x"},
                    headers=BOB).status_code == 404
    assert app.get(f"/tasks/{task}/project", headers=BOB).status_code == 404
    assert app.put(f"/tasks/{task}/tags/1", headers=BOB).status_code == 404
    assert app.delete(f"/tasks/{task}/tags/1", headers=BOB).status_code == 404
    assert app.get(f"/projects/{project}/tasks", headers=ALICE).json()["meta"]["total"] == 1


def test_links_work_within_the_tenant(app: TestClient, rows: dict[str, tuple[int, int]]) -> None:
    _, task = rows["bob"]
    assert app.put(f"/tasks/{task}/tags/1", headers=BOB).status_code == 204
    assert app.get(f"/tasks/{task}/tags", headers=BOB).json()["meta"]["total"] == 1
    assert app.get(f"/tasks/{task}/project", headers=BOB).json()["name"] == "b"


def test_a_tenant_cannot_create_rows_in_another_tenant(
        app: TestClient, rows: dict[str, tuple[int, int]]) -> None:
    created = app.post("/tasks", json={"title": "t", "project_id": rows["bob"][0]}, headers=BOB)
    assert created.status_code == 201 and created.json()["tenant_id"] == 2
    refused = app.post("/tasks", json={"title": "t", "tenant_id": 1, "project_id": 1},
                       headers=BOB)
    assert refused.status_code == 422


def test_a_row_cannot_reference_another_tenants_row(
        app: TestClient, rows: dict[str, tuple[int, int]]) -> None:
    alice_project = rows["alice"][0]
    refused = app.post("/tasks", json={"title": "t", "project_id": alice_project}, headers=BOB)
    assert refused.status_code == 422
    # answered as a reference to a missing row (database.errors.MissingReference)
    assert refused.json()["errors"] == [{"pointer": "/project_id", "code": "foreign_key",
                                         "message": "project_id refers to a row that does not "
                                                    "exist"}]
    bob_task = rows["bob"][1]
    moved = app.patch(f"/tasks/{bob_task}", json={"project_id": alice_project}, headers=BOB)
    assert moved.status_code == 422
    assert app.get(f"/projects/{alice_project}/tasks", headers=ALICE).json()["meta"]["total"] == 1


def test_nested_writes_reach_only_the_tenants_rows(
        app: TestClient, rows: dict[str, tuple[int, int]]) -> None:
    """A connect to another tenant's row is refused as if it did not exist; a nested create
    takes the caller's scope and fill values; nothing of a refused request is written."""
    (alice_project, alice_task), (bob_project, _) = rows["alice"], rows["bob"]
    refused = app.post("/tasks", json={"title": "t", "project": {"connect": {
        "id": alice_project}}, "tags": {"create": {"name": "kept-out"}}}, headers=BOB)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"pointer": "/project/connect", "code": "not_found",
                                         "message": f"no Project with id {alice_project}"}]
    moved = app.post("/projects", json={"name": "p", "tasks": {"connect": {"id": alice_task}}},
                     headers=BOB)
    assert moved.status_code == 422
    assert [e["pointer"] for e in moved.json()["errors"]] == ["/tasks/connect"]
    assert app.get("/tags", params={"name": "kept-out"}).json()["meta"]["total"] == 0
    assert app.get("/projects", headers=BOB).json()["meta"]["total"] == 1
    created = app.post("/tasks", json={"title": "t", "project": {"create": {"name": "new"}}},
                       headers=BOB)
    assert created.status_code == 201, created.text
    project = app.get(f"/tasks/{created.json()['id']}/project", headers=BOB).json()
    assert (project["tenant_id"], project["owner_id"]) == (2, 2)
    assert created.json()["tenant_id"] == 2 and project["id"] != bob_project



def test_nested_updates_reach_only_the_tenants_rows(
        app: TestClient, rows: dict[str, tuple[int, int]]) -> None:
    """On PATCH too a connect to another tenant's row is a 422 as if it did not exist, and
    nothing of the refused request is written."""
    (alice_project, alice_task), (bob_project, bob_task) = rows["alice"], rows["bob"]
    refused = app.patch(f"/tasks/{bob_task}", json={"title": "moved", "project": {
        "connect": {"id": alice_project}}}, headers=BOB)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"pointer": "/project/connect", "code": "not_found",
                                         "message": f"no Project with id {alice_project}"}]
    refused = app.patch(f"/projects/{bob_project}", json={"tasks": {"connect": {
        "id": alice_task}}}, headers=BOB)
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/tasks/connect"]
    assert app.get(f"/tasks/{bob_task}", headers=BOB).json()["title"] == "b"
    assert app.get(f"/tasks/{alice_task}", headers=ALICE).json()["project_id"] == alice_project

def test_includes_show_only_the_tenants_rows(app: TestClient,
                                             rows: dict[str, tuple[int, int]]) -> None:
    for headers, task in ((ALICE, rows["alice"][1]), (BOB, rows["bob"][1])):
        assert app.put(f"/tasks/{task}/tags/1", headers=headers).status_code == 204
    anonymous = app.get("/tags?include=tasks")  # a public route that cannot resolve Task's scope
    assert anonymous.status_code == 403
    assert anonymous.json()["type"] == "https://fastbackend.dev/problems/forbidden"
    tags = app.get("/tags?include=tasks", headers=ALICE).json()["data"]
    assert [t["title"] for t in tags[0]["tasks"]] == ["a"]
    projects = app.get("/projects?include=tasks", headers=BOB).json()["data"]
    assert [[t["title"] for t in p["tasks"]] for p in projects] == [["b"]]
    # include=_count.<relation> counts only the tenant's rows too (both tasks link the tag)
    for headers in (ALICE, BOB):
        counted = app.get("/tags?include=_count.tasks", headers=headers)
        assert counted.status_code == 200, counted.text
        assert [t["_count"] for t in counted.json()["data"]] == [{"tasks": 1}]
    assert app.get("/tags?include=_count.tasks").status_code == 403


def test_the_query_route_is_protected_and_scoped(app: TestClient,
                                                 rows: dict[str, tuple[int, int]]) -> None:
    assert app.post("/projects/query", json={}).status_code == 401
    found = app.post("/projects/query", json={"sort": "name"}, headers=BOB).json()
    assert [row["name"] for row in found["data"]] == ["b"]
    assert found["meta"]["total"] == 1


def test_bulk_writes_touch_only_the_tenants_rows(app: TestClient,
                                                 rows: dict[str, tuple[int, int]]) -> None:
    """PATCH/DELETE by filter carry the row scope as the single-row routes do: `all=true` is
    every row of the tenant, and a filter naming another tenant's row matches nothing."""
    renamed = app.patch("/projects", params={"all": "true"}, json={"name": "renamed"},
                        headers=BOB)
    assert renamed.status_code == 200 and renamed.json() == {"count": 1}
    assert [row["name"] for row in app.get("/projects", headers=ALICE).json()["data"]] == ["a"]
    assert [row["name"] for row in app.get("/projects", headers=BOB).json()["data"]] == [
        "renamed"]
    assert app.delete("/projects", params={"name": "a"}, headers=BOB).json() == {"count": 0}
    through = app.patch("/tasks", params={"project.name": "a"}, json={"title": "x"},
                        headers=BOB)
    assert through.json() == {"count": 0}
    # deleting tasks needs an admin (the delete operation's dependency), in bulk too
    assert app.delete("/tasks", params={"all": "true"}, headers=BOB).status_code == 403
    root = bearer("root")  # an admin of alice's tenant: her task only
    assert app.delete("/tasks", params={"all": "true"}, headers=root).json() == {"count": 1}
    assert app.get("/tasks", headers=ALICE).json()["data"] == []
    assert [row["title"] for row in app.get("/tasks", headers=BOB).json()["data"]] == ["b"]


def test_nested_rows_run_their_own_routes_auth(make_client: MakeClient, tmp_path: Path) -> None:
    """A nested create of a model runs that model's create dependencies (here: admins only
    create tags), as POST /tags would; a connect runs its read ones."""
    config = CONFIG.replace("    Task:\n", "    Tag:\n      dependencies:\n"
                                          "        create: [app.auth:require_admin]\n    Task:\n")
    app = make_client(write_project(tmp_path / "guarded", config=config))
    project = app.post("/projects", json={"name": "p"}, headers=ALICE).json()["id"]
    body = {"title": "t", "project_id": project, "tags": {"create": {"name": "new"}}}
    refused = app.post("/tasks", json=body, headers=ALICE)
    assert refused.status_code == 403, refused.text
    assert app.get("/tasks", headers=ALICE).json()["meta"]["total"] == 0
    assert app.post("/tasks", json=body, headers=bearer("root")).status_code == 201
    linked = app.post("/tasks", json={**body, "tags": {"connect": {"name": "new"}}},
                      headers=ALICE)
    assert linked.status_code == 201, linked.text


def test_a_batch_runs_each_operations_auth_and_row_scope(
        app: TestClient, rows: dict[str, tuple[int, int]]) -> None:
    """POST /_batch (docs/rest-api.md "Atomic batch"): each operation runs its route's auth
    dependencies and row scope, so another tenant's row is a 404 there too, a forbidden
    operation its 403, and either rolls back the operations before it."""
    project, task = rows["alice"]
    bobs = app.get("/projects", headers=BOB).json()["data"]
    reach = app.post("/_batch", headers=BOB, json={"operations": [
        {"op": "update", "path": "/projects", "key": {"id": bobs[0]["id"]},
         "body": {"name": "renamed"}},
        {"op": "update", "path": "/projects", "key": {"id": project}, "body": {"name": "x"}}]})
    assert reach.status_code == 404, reach.text
    assert reach.json()["errors"][0]["pointer"] == "/operations/1/key"
    forbidden = app.post("/_batch", headers=BOB, json={"operations": [
        {"op": "delete", "path": "/tasks", "key": {"id": rows["bob"][1]}}]})
    assert forbidden.status_code == 403  # deleting tasks needs an admin
    assert [row["name"] for row in app.get("/projects", headers=BOB).json()["data"]] == ["b"]
    assert app.get(f"/tasks/{rows['bob'][1]}", headers=BOB).status_code == 200
    created = app.post("/_batch", headers=BOB, json={"operations": [
        {"op": "create", "path": "/projects", "ref": "p", "body": {"name": "new"}},
        {"op": "create", "path": "/tasks",
         "body": {"title": "t", "project_id": {"$ref": "p.id"}}}]})
    assert created.status_code == 200, created.text
    assert [r["body"]["tenant_id"] for r in created.json()["results"]] == [2, 2]  # bob's scope
    assert app.get(f"/tasks/{task}", headers=ALICE).status_code == 200
