"""405 names every method of the path in `Allow`, and OPTIONS answers with the same list.

Each generated route serves one method, so the 405 used to name only one route's methods:
`DELETE /posts` -> `Allow: GET, HEAD` although POST /posts exists. `/posts/bulk` and
`/posts/query` are paths of their own, matched before `/posts/{key}` as OpenAPI matches a
concrete path before a templated one: `PUT /posts/bulk` is a 405, not the post keyed "bulk".
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import problem

# path -> every method it serves, in the order both servers write them
PATHS = {
    "/posts": "GET, HEAD, POST, PATCH, DELETE, OPTIONS",  # PATCH, DELETE: by filter
    "/posts/1": "GET, HEAD, PUT, PATCH, DELETE, OPTIONS",
    "/posts/1/tags": "GET, HEAD, POST, OPTIONS",
    "/posts/1/tags/1": "PUT, DELETE, OPTIONS",
    "/posts/1/author": "GET, HEAD, OPTIONS",
    # paths of their own, not keys of /posts/{key}
    "/posts/bulk": "POST, OPTIONS",
    "/posts/query": "POST, OPTIONS",
}
REFUSED = [("PUT", "/posts"), ("POST", "/posts/1"),
           ("POST", "/posts/1/tags/1"), ("GET", "/posts/1/tags/1"), ("DELETE", "/posts/1/tags"),
           ("PUT", "/posts/1/author"), ("PUT", "/posts/bulk"), ("GET", "/posts/bulk"),
           ("DELETE", "/posts/bulk"), ("GET", "/posts/query"), ("PATCH", "/posts/query")]


@pytest.mark.parametrize("method, path", REFUSED)
def test_405_allow_lists_every_method_of_the_path(blog: TestClient, method: str,
                                                  path: str) -> None:
    response = blog.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == PATHS[path]
    body = problem(response)
    assert body["type"] == "https://fastbackend.dev/problems/method-not-allowed"
    assert method in str(body["detail"])


def test_options_answers_the_methods_of_the_path(blog: TestClient) -> None:
    for path, allow in PATHS.items():
        response = blog.options(path)
        assert (response.status_code, response.headers["allow"]) == (204, allow), path
        assert response.content == b""
    assert blog.options("/nothing-here").status_code == 404
