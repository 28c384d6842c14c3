"""Row scope (scope.py) holds through the query language: filters, sorts and includes that reach
a scoped entity through a relation never see another tenant's rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import MakeClient
from tests.adapters.fastapi.tenancy import bearer, write_project

ALICE, BOB = bearer("alice"), bearer("bob")


@pytest.fixture
def app(make_client: MakeClient, tmp_path: Path) -> TestClient:
    client = make_client(write_project(tmp_path / "project"))
    tag = client.post("/tags", json={"name": "shared"}).json()["id"]
    project = client.post("/projects", json={"name": "a"}, headers=ALICE).json()["id"]
    task = client.post(f"/projects/{project}/tasks", json={"title": "alice's"}, headers=ALICE)
    assert client.put(f"/tasks/{task.json()['id']}/tags/{tag}", headers=ALICE).status_code == 204
    return client


def _data(client: TestClient, path: str, headers: dict[str, str], **params: str) -> list[dict]:  # type: ignore[type-arg]
    response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    data: list[dict] = response.json()["data"]  # type: ignore[type-arg]
    return data


def test_relations_to_a_scoped_entity_do_not_leak(app: TestClient) -> None:
    included = _data(app, "/tags", BOB, include="tasks")
    assert [tag["tasks"] for tag in included] == [[]]
    assert [t["title"] for t in _data(app, "/tags", ALICE, include="tasks")[0]["tasks"]] == [
        "alice's"]
    for params in ({"tasks.title__startswith": "a"}, {"where": '{"tasks": {"some": {}}}'}):
        assert _data(app, "/tags", BOB, **params) == []
        assert len(_data(app, "/tags", ALICE, **params)) == 1
    # every: Bob sees no task of the tag, so every one of them (none) matches
    assert len(_data(app, "/tags", BOB, where='{"tasks": {"every": {"title": "x"}}}')) == 1
    assert _data(app, "/tags", ALICE, where='{"tasks": {"every": {"title": "x"}}}') == []


def test_include_on_one_row_and_on_a_write_shows_only_the_callers_rows(app: TestClient) -> None:
    """`include=` on GET of one row and on a write's answer (routes/included.py) loads the
    related rows as a list's include does: Bob, of another tenant, sees none of Alice's."""
    for headers, titles in ((BOB, []), (ALICE, ["alice's"])):
        read = app.get("/tags/1", params={"include": "tasks"}, headers=headers)
        assert [task["title"] for task in read.json()["tasks"]] == titles
        changed = app.patch("/tags/1", params={"include": "tasks,_count.tasks"},
                            json={"name": "shared"}, headers=headers)
        assert changed.status_code == 200, changed.text
        assert [task["title"] for task in changed.json()["tasks"]] == titles
        assert changed.json()["_count"] == {"tasks": len(titles)}
