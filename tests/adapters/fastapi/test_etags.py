"""ETag, If-None-Match (304), If-Match (412), and the lost-update case across instances."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from httpx import Response
from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import BLOG, MakeClient, problem
from tests.adapters.fastapi.test_crud import make_user


def test_etag_follows_content(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    first = blog.get(f"/users/{user['id']}").headers["etag"]
    assert blog.get(f"/users/{user['id']}").headers["etag"] == first  # stable
    blog.patch(f"/users/{user['id']}", json={"name": "Changed"})
    assert blog.get(f"/users/{user['id']}").headers["etag"] != first


def test_if_none_match_gives_304(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    etag = blog.get(f"/users/{user['id']}").headers["etag"]
    response = blog.get(f"/users/{user['id']}", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["etag"] == etag
    assert blog.get(f"/users/{user['id']}", headers={"If-None-Match": f"W/{etag}"}
                    ).status_code == 304
    assert blog.get(f"/users/{user['id']}", headers={"If-None-Match": '"other"'}
                    ).status_code == 200


def test_if_match_guards_patch_put_and_delete(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    path = f"/users/{user['id']}"
    etag = blog.get(path).headers["etag"]
    stale = '"stale"'
    for method, body in (("PATCH", {"name": "x"}), ("PUT", {"email": "b@x.io"}),
                         ("DELETE", None)):
        response = blog.request(method, path, json=body, headers={"If-Match": stale})
        assert response.status_code == 412, method
        assert problem(response)["type"] == "https://fastbackend.dev/problems/precondition-failed"
    assert blog.get(path).headers["etag"] == etag  # nothing changed
    ok = blog.patch(path, json={"name": "New"}, headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.headers["etag"] != etag
    assert blog.delete(path, headers={"If-Match": ok.headers["etag"]}).status_code == 204
    assert blog.patch(path, json={"name": "x"}, headers={"If-Match": "*"}).status_code == 404


def test_lost_update_second_writer_gets_412(blog: TestClient) -> None:
    user = make_user(blog, "a@x.io")
    path = f"/users/{user['id']}"
    etag = blog.get(path).headers["etag"]
    first = blog.patch(path, json={"name": "First"}, headers={"If-Match": etag})
    second = blog.patch(path, json={"name": "Second"}, headers={"If-Match": etag})
    assert (first.status_code, second.status_code) == (200, 412)
    assert blog.get(path).json()["name"] == "First"


def test_lost_update_between_two_instances_racing(make_client: MakeClient) -> None:
    """Two app instances (as two workers) PATCH at once with the same ETag: one wins."""
    one, two = make_client(BLOG), make_client(BLOG)
    user = make_user(one, "race@x.io")
    path = f"/users/{user['id']}"
    etag = one.get(path).headers["etag"]
    barrier = threading.Barrier(2, timeout=10)

    def patch(client: TestClient, name: str) -> Response:
        barrier.wait()
        return client.patch(path, json={"name": name}, headers={"If-Match": etag})

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(patch, (one, two), ("One", "Two")))
    assert sorted(r.status_code for r in results) == [200, 412]
    winner = next(r for r in results if r.status_code == 200)
    assert one.get(path).json()["name"] == winner.json()["name"]
