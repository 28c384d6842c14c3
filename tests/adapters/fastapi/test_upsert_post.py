"""Upsert by POST (PostgREST's form): `Prefer: resolution=merge-duplicates|ignore-duplicates`
and `on_conflict=<fields>` on `POST {path}` and its bulk route (docs/rest-api.md, "Upsert").
On SQLite, PostgreSQL and MariaDB (the `database_url` fixture), and against Express; row scope,
soft delete and the race: test_upsert_post_scope.py."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import problem

MERGE = {"Prefer": "resolution=merge-duplicates"}
IGNORE = {"Prefer": "resolution=ignore-duplicates"}


def test_merge_inserts_then_updates_the_row_holding_the_unique_value(blog: TestClient) -> None:
    created = blog.post("/tags?on_conflict=name", json={"name": "py"}, headers=MERGE)
    assert created.status_code == 201, created.text
    assert created.headers["preference-applied"] == "resolution=merge-duplicates"
    assert created.headers["location"] == f"/tags/{created.json()['id']}"
    merged = blog.post("/tags?on_conflict=name", json={"name": "py"}, headers=MERGE)
    assert merged.status_code == 200, merged.text
    assert merged.json() == created.json()
    assert merged.headers["etag"] == blog.get(created.headers["location"]).headers["etag"]
    assert blog.get("/tags").json()["meta"]["total"] == 1


def test_merge_on_the_default_target_the_primary_key(kitchen: TestClient) -> None:
    body = {"country": "de", "code": "by", "name": "Bayern"}
    assert kitchen.post("/regions", json=body, headers=MERGE).status_code == 201
    merged = kitchen.post("/regions", json={**body, "name": "Bavaria"}, headers=MERGE)
    assert merged.status_code == 200 and merged.json()["name"] == "Bavaria"
    assert kitchen.get("/regions/de,by").json()["name"] == "Bavaria"


def test_ignore_duplicates_answers_the_row_as_it_is(kitchen: TestClient) -> None:
    body = {"country": "de", "code": "by", "name": "Bayern"}
    assert kitchen.post("/regions", json=body, headers=IGNORE).status_code == 201
    ignored = kitchen.post("/regions", json={**body, "name": "Other"},
                           headers={"Prefer": "return=representation, resolution=ignore-duplicates"})
    assert ignored.status_code == 200, ignored.text
    assert ignored.json()["name"] == "Bayern"
    assert ignored.headers["preference-applied"] == (
        "return=representation, resolution=ignore-duplicates")
    assert kitchen.get("/regions/de,by").json()["name"] == "Bayern"


def test_on_conflict_names_a_composite_unique_constraint_in_any_order(blog: TestClient) -> None:
    author = blog.post("/users", json={"email": "a@x.io", "name": "A"}).json()["id"]
    body = {"title": "T", "body": "one", "author_id": author}
    url = "/posts?on_conflict=title,author_id"
    first = blog.post(url, json=body, headers=MERGE)
    assert first.status_code == 201, first.text
    second = blog.post(url, json={**body, "body": "two"}, headers=MERGE)
    assert second.status_code == 200, second.text
    assert second.json()["id"] == first.json()["id"] and second.json()["body"] == "two"


def test_a_conflict_on_another_unique_constraint_is_still_a_409(blog: TestClient) -> None:
    blog.post("/users", json={"email": "a@x.io", "name": "A"})
    # the target is the primary key (generated: never met), the email clashes: a create's 409
    response = blog.post("/users", json={"email": "a@x.io", "name": "B"}, headers=MERGE)
    assert response.status_code == 409
    assert problem(response)["type"].endswith("/unique-violation")


def test_bulk_upsert_answers_the_rows_in_order(blog: TestClient) -> None:
    blog.post("/tags", json={"name": "a"})
    url = "/tags/bulk?on_conflict=name"
    some_new = blog.post(url, json=[{"name": "b"}, {"name": "a"}], headers=MERGE)
    assert some_new.status_code == 201, some_new.text
    assert [row["name"] for row in some_new.json()] == ["b", "a"]
    none_new = blog.post(url, json=[{"name": "a"}, {"name": "b"}], headers=IGNORE)
    assert none_new.status_code == 200, none_new.text  # no row created: 200
    assert [row["id"] for row in none_new.json()] == [
        some_new.json()[1]["id"], some_new.json()[0]["id"]]
    assert blog.get("/tags").json()["meta"]["total"] == 2


def test_minimal_upsert_is_204_with_both_preferences_applied(blog: TestClient) -> None:
    response = blog.post("/tags?on_conflict=name", json={"name": "m"},
                         headers={"Prefer": "return=minimal, resolution=merge-duplicates"})
    assert response.status_code == 204 and response.content == b""
    assert response.headers["preference-applied"] == "return=minimal, resolution=merge-duplicates"


def test_a_bad_on_conflict_is_a_400_naming_the_targets(blog: TestClient) -> None:
    response = blog.post("/posts?on_conflict=title", json={"title": "x"}, headers=MERGE)
    assert response.status_code == 400
    body = problem(response)
    assert body["type"].endswith("/invalid-parameter")
    assert "on_conflict" in body["detail"] and "id | author_id,title" in body["detail"]
    twice = blog.post("/tags?on_conflict=name&on_conflict=name", json={"name": "x"},
                      headers=MERGE)
    assert twice.status_code == 400 and "on_conflict" in problem(twice)["detail"]
    assert blog.get("/posts?title=x").json()["data"] == []
