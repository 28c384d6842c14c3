"""Relation routes for every relation end, on the blog and kitchen IRs."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import problem
from tests.adapters.fastapi.test_crud import make_post, make_user


def created(client: TestClient, path: str, body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_to_one_returns_the_related_object(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    post = make_post(blog, user["id"], "t")
    response = blog.get(f"/posts/{post['id']}/author")
    assert response.status_code == 200
    assert response.json() == user
    assert response.headers["etag"] == blog.get(f"/users/{user['id']}").headers["etag"]


def test_to_one_absent_or_missing_owner_is_404(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    post = make_post(blog, user["id"], "t")
    comment = created(blog, "/comments", {"body": "c", "post_id": post["id"]})
    assert blog.get(f"/comments/{comment['id']}/author").status_code == 404  # null FK
    assert problem(blog.get("/posts/999/author"))["status"] == 404


def test_to_many_lists_with_the_list_features(blog: TestClient) -> None:
    alice, bob = make_user(blog, "alice@x.io"), make_user(blog, "bob@x.io")
    for title in ("b", "a", "c"):
        make_post(blog, alice["id"], title, status="published" if title != "c" else "draft")
    make_post(blog, bob["id"], "bob's")
    body = blog.get(f"/users/{alice['id']}/posts", params={"sort": "title"}).json()
    assert [p["title"] for p in body["data"]] == ["a", "b", "c"]
    assert body["meta"]["total"] == 3
    filtered = blog.get(f"/users/{alice['id']}/posts", params={"status": "published",
                                                               "limit": 1}).json()
    assert len(filtered["data"]) == 1 and filtered["meta"]["total"] == 2
    assert blog.get("/users/999/posts").status_code == 404


def test_post_to_a_to_many_relation_sets_the_foreign_key(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    response = blog.post(f"/users/{user['id']}/posts", json={"title": "t", "body": "b"})
    assert response.status_code == 201
    assert response.json()["author_id"] == user["id"]
    assert response.headers["location"] == f"/posts/{response.json()['id']}"
    # The foreign key comes from the URL, not from the body.
    refused = blog.post(f"/users/{user['id']}/posts",
                        json={"title": "u", "body": "b", "author_id": user["id"]})
    assert refused.status_code == 422
    assert [(e["pointer"], e["code"]) for e in refused.json()["errors"]] == [
        ("/author_id", "unknown_field")]  # docs/rest-api.md: not a field of this route's body
    assert blog.post("/users/999/posts", json={"title": "t", "body": "b"}).status_code == 404


def test_self_relation_on_comments(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    post = make_post(blog, user["id"], "t")
    parent = created(blog, f"/posts/{post['id']}/comments", {"body": "root"})
    reply = created(blog, f"/comments/{parent['id']}/replies",
                    {"body": "reply", "post_id": post["id"]})
    assert reply["parent_id"] == parent["id"]
    assert blog.get(f"/comments/{reply['id']}/parent").json() == parent
    replies = blog.get(f"/comments/{parent['id']}/replies").json()["data"]
    assert [r["id"] for r in replies] == [reply["id"]]


def test_many_to_many_link_list_and_unlink(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    post = make_post(blog, user["id"], "t")
    tag = created(blog, "/tags", {"name": "python"})
    link = blog.put(f"/posts/{post['id']}/tags/{tag['id']}")
    assert link.status_code == 204
    assert blog.put(f"/posts/{post['id']}/tags/{tag['id']}").status_code == 204  # idempotent
    assert blog.get(f"/posts/{post['id']}/tags").json()["data"] == [tag]
    from_tag = blog.get(f"/tags/{tag['id']}/posts").json()
    assert [p["id"] for p in from_tag["data"]] == [post["id"]] and from_tag["meta"]["total"] == 1
    assert blog.delete(f"/posts/{post['id']}/tags/{tag['id']}").status_code == 204
    assert blog.get(f"/posts/{post['id']}/tags").json()["data"] == []
    assert blog.delete(f"/posts/{post['id']}/tags/{tag['id']}").status_code == 404
    assert blog.put(f"/posts/{post['id']}/tags/999").status_code == 404
    assert blog.put(f"/posts/999/tags/{tag['id']}").status_code == 404


def test_post_to_a_many_to_many_relation_creates_and_links(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    post = make_post(blog, user["id"], "t")
    tag = created(blog, f"/posts/{post['id']}/tags", {"name": "new"})
    assert blog.get(f"/posts/{post['id']}/tags").json()["data"] == [tag]


def test_composite_keys_and_a_composite_foreign_key(kitchen: TestClient) -> None:
    region = created(kitchen, "/regions", {"country": "fr", "code": "idf", "name": "Paris"})
    response = kitchen.get("/regions/fr,idf")
    assert response.status_code == 200 and response.json() == region
    assert kitchen.post("/regions", json=region).headers["content-type"].startswith(
        "application/problem+json")
    store = created(kitchen, "/regions/fr,idf/stores", {"name": "S"})
    assert (store["region_country"], store["region_code"]) == ("fr", "idf")
    assert kitchen.get(f"/stores/{store['id']}/region").json() == region
    assert [s["id"] for s in kitchen.get("/regions/fr,idf/stores").json()["data"]] == [store["id"]]
    assert kitchen.get("/regions/fr").status_code == 404  # one part of a two-part key
    assert kitchen.patch("/regions/fr,idf", json={"name": "IdF"}).json()["name"] == "IdF"


def test_one_to_one_from_both_ends(kitchen: TestClient) -> None:
    employee = created(kitchen, "/employees", {"name": "E"})
    assert kitchen.get(f"/employees/{employee['id']}/badge").status_code == 404
    badge = created(kitchen, "/badges", {"employee_id": employee["id"]})
    assert kitchen.get(f"/employees/{employee['id']}/badge").json() == badge
    assert kitchen.get(f"/badges/{badge['id']}/employee").json() == employee
    second = kitchen.post("/badges", json={"employee_id": employee["id"]})
    assert second.status_code == 409  # one-to-one: the foreign key is unique


def test_self_relation_and_many_to_many_on_kitchen(kitchen: TestClient) -> None:
    boss = created(kitchen, "/employees", {"name": "Boss"})
    report = created(kitchen, f"/employees/{boss['id']}/reports", {"name": "Report"})
    assert report["manager_id"] == boss["id"]
    assert kitchen.get(f"/employees/{report['id']}/manager").json() == boss
    skill = created(kitchen, f"/employees/{boss['id']}/skills", {"name": "sql"})
    assert kitchen.put(f"/employees/{report['id']}/skills/{skill['id']}").status_code == 204
    holders = kitchen.get(f"/skills/{skill['id']}/employees", params={"sort": "id"}).json()
    assert [e["id"] for e in holders["data"]] == [boss["id"], report["id"]]


def test_keys_are_percent_encoded_in_location(kitchen: TestClient) -> None:
    response = kitchen.post("/regions", json={"country": "gb", "code": "nw 1%", "name": "NW"})
    assert response.status_code == 201
    assert response.headers["location"] == "/regions/gb,nw%201%25"
    assert kitchen.get(response.headers["location"]).json()["code"] == "nw 1%"
