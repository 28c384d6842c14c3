"""Collection and item routes on the golden blog IR, on SQLite and PostgreSQL."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import BLOG, MakeClient, pointers, problem


def make_user(client: TestClient, email: str, name: str | None = "Ann") -> dict[str, object]:
    response = client.post("/users", json={"email": email, "name": name})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def make_post(client: TestClient, author_id: object, title: str, **extra: object) -> dict[str, object]:
    response = client.post("/posts", json={"title": title, "body": "text", "author_id": author_id,
                                           **extra})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_create_returns_201_location_etag_and_the_row(blog: TestClient) -> None:
    response = blog.post("/users", json={"email": "ann@x.io", "name": "Ann"})
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ann@x.io" and body["name"] == "Ann"
    assert isinstance(body["id"], int)
    assert body["created_at"].endswith("Z")  # server default, UTC
    assert response.headers["location"] == f"/users/{body['id']}"
    assert response.headers["etag"].startswith('"')
    assert response.headers["content-type"] == "application/json"


def test_read_returns_what_was_created(blog: TestClient) -> None:
    created = make_user(blog, "bo@x.io")
    response = blog.get(f"/users/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created
    assert response.headers["etag"]


def test_defaults_are_applied(blog: TestClient) -> None:
    user = make_user(blog, "d@x.io")
    post = make_post(blog, user["id"], "Hello")
    assert post["status"] == "draft"  # server default literal
    assert post["published_at"] is None
    assert post["updated_at"] is not None and post["created_at"] is not None


def test_list_shape_filters_sort_and_pagination(blog: TestClient) -> None:
    author = make_user(blog, "l@x.io")
    for index, status in enumerate(["draft", "published", "published", "archived"]):
        make_post(blog, author["id"], f"p{index}", status=status)
    response = blog.get("/posts", params={"status": "published", "sort": "-title"})
    assert response.status_code == 200
    body = response.json()
    assert [post["title"] for post in body["data"]] == ["p2", "p1"]
    assert body["meta"] == {"total": 2, "limit": 50, "offset": 0, "next_cursor": None}
    page = blog.get("/posts", params={"sort": "title", "limit": 2, "offset": 1}).json()
    assert [post["title"] for post in page["data"]] == ["p1", "p2"]
    assert page["meta"]["total"] == 4 and page["meta"]["limit"] == 2
    assert blog.get("/posts", params={"count": "none"}).json()["meta"]["total"] is None
    beyond = blog.get("/posts", params={"offset": 10}).json()
    assert beyond["data"] == [] and beyond["meta"]["total"] == 4


def test_list_rejects_unknown_parameters_and_bad_values(blog: TestClient) -> None:
    for params, named in [({"nope": "1"}, "nope"), ({"id": "abc"}, "id"),
                          ({"sort": "missing"}, "sort"), ({"limit": "0"}, "limit"),
                          ({"limit": "201"}, "limit"), ({"offset": "-1"}, "offset"),
                          ({"status": "bogus"}, "status")]:
        response = blog.get("/posts", params=params)
        assert response.status_code == 400, params
        assert named in str(problem(response)["detail"])


def test_patch_changes_only_what_is_sent(blog: TestClient) -> None:
    user = make_user(blog, "p@x.io", name="Before")
    response = blog.patch(f"/users/{user['id']}", json={"name": "After"})
    assert response.status_code == 200
    assert response.json() == {**user, "name": "After"}
    assert blog.get(f"/users/{user['id']}").json()["name"] == "After"


def test_patch_sets_updated_at(blog: TestClient) -> None:
    user = make_user(blog, "u@x.io")
    post = make_post(blog, user["id"], "t")
    patched = blog.patch(f"/posts/{post['id']}", json={"title": "t2"}).json()
    assert patched["updated_at"] > post["updated_at"]
    assert patched["created_at"] == post["created_at"]


def test_patch_can_null_a_nullable_field_but_not_a_required_one(blog: TestClient) -> None:
    user = make_user(blog, "n@x.io", name="Named")
    assert blog.patch(f"/users/{user['id']}", json={"name": None}).json()["name"] is None
    refused = blog.patch(f"/users/{user['id']}", json={"email": None})
    assert refused.status_code == 422
    assert pointers(refused) == ["/email"]


def test_put_replaces_the_row(blog: TestClient) -> None:
    user = make_user(blog, "r@x.io", name="Old")
    response = blog.put(f"/users/{user['id']}", json={"email": "new@x.io"})
    assert response.status_code == 200
    assert response.json() == {**user, "email": "new@x.io", "name": None}
    missing = blog.put(f"/users/{user['id']}", json={"name": "no email"})
    assert missing.status_code == 422 and pointers(missing) == ["/email"]


def test_delete_then_404(blog: TestClient) -> None:
    user = make_user(blog, "del@x.io")
    response = blog.delete(f"/users/{user['id']}")
    assert response.status_code == 204 and response.content == b""
    assert blog.get(f"/users/{user['id']}").status_code == 404
    assert blog.delete(f"/users/{user['id']}").status_code == 404
    assert blog.patch(f"/users/{user['id']}", json={"name": "x"}).status_code == 404


def test_a_deleted_rows_id_is_never_handed_out_again(blog: TestClient) -> None:
    # SQLite without AUTOINCREMENT reuses the highest id once its row is gone; a client still
    # holding /users/2 would then read (or delete) somebody else.
    make_user(blog, "first@x.io")
    newest = make_user(blog, "newest@x.io")
    assert blog.delete(f"/users/{newest['id']}").status_code == 204
    after = make_user(blog, "after@x.io")
    assert after["id"] > newest["id"]
    assert blog.get(f"/users/{newest['id']}").status_code == 404


def test_bulk_create_is_one_transaction(blog: TestClient) -> None:
    response = blog.post("/users/bulk", json=[{"email": "a1@x.io"}, {"email": "a2@x.io"}])
    assert response.status_code == 201
    assert [user["email"] for user in response.json()] == ["a1@x.io", "a2@x.io"]
    failed = blog.post("/users/bulk", json=[{"email": "b1@x.io"}, {"email": "a1@x.io"}])
    assert failed.status_code == 409
    assert pointers(failed) == ["/1/email"]
    emails = [u["email"] for u in blog.get("/users").json()["data"]]
    assert "b1@x.io" not in emails  # all or nothing
    invalid = blog.post("/users/bulk", json=[{"email": "c1@x.io"}, {"email": 3}])
    assert invalid.status_code == 422 and pointers(invalid) == ["/1/email"]
    assert blog.get("/users").json()["meta"]["total"] == 2
    one = blog.post("/users/bulk", json={"email": "d1@x.io"})  # the bulk route takes an array
    assert one.status_code == 422 and pointers(one) == [""]


def test_a_single_create_refuses_an_array_and_names_the_bulk_route(blog: TestClient) -> None:
    """One operation, one type (docs/rest-api.md): arrays go to POST /users/bulk."""
    response = blog.post("/users", json=[{"email": "e1@x.io"}])
    assert response.status_code == 422
    assert response.json()["errors"] == [{
        "pointer": "", "code": "dict_type",
        "message": "Input should be an object: create an array of rows with POST /users/bulk"}]
    nested = blog.post(f"/users/{make_user(blog, 'e2@x.io')['id']}/posts", json=[{"title": "t"}])
    assert nested.status_code == 422
    assert "POST /posts/bulk" in nested.json()["errors"][0]["message"]
    assert blog.post("/users", content=b"[" * 1000, headers={"content-type": "application/json"}
                     ).status_code == 400  # malformed JSON stays a 400
    assert blog.get("/users").json()["meta"]["total"] == 1


def test_data_survives_a_restart(make_client: MakeClient) -> None:
    first = make_client(BLOG)
    user = make_user(first, "keep@x.io")
    second = make_client(BLOG)  # a new app, engine and pool on the same database
    assert second.get(f"/users/{user['id']}").json() == user


def test_two_instances_share_state_and_etags(make_client: MakeClient) -> None:
    one, two = make_client(BLOG), make_client(BLOG)
    user = make_user(one, "shared@x.io")
    read_one = one.get(f"/users/{user['id']}")
    read_two = two.get(f"/users/{user['id']}")
    assert read_one.headers["etag"] == read_two.headers["etag"]
    assert two.get(f"/users/{user['id']}",
                   headers={"If-None-Match": read_one.headers["etag"]}).status_code == 304
