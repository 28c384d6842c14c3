"""examples/secure-blog boots and keeps every rule it declares (README.md there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from fastbackend.pipeline import compile_path
from fastbackend_fastapi import create_app
from tests.adapters.fastapi.conftest import problem

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "secure-blog"
ADMIN, ALICE = {"X-API-Key": "admin-key"}, {"X-API-Key": "alice-key"}


@pytest.fixture
def blog(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("SECURE_BLOG_API_KEYS", raising=False)
    monkeypatch.setenv("FRONTEND_ORIGIN", "https://blog.example")
    ir = compile_path(EXAMPLE)[1].ir  # in memory: nothing is written into the example
    app = create_app(ir, database_url=database_url, project_path=EXAMPLE,
                     custom_path=EXAMPLE / "app" / "custom")
    with TestClient(app) as client:
        users = [{"name": "Admin", "email": "admin@example.com"},
                 {"name": "Alice", "email": "alice@example.com"}]
        assert client.post("/users/bulk", json=users, headers=ADMIN).status_code == 201
        yield client


def test_writes_need_a_key_and_the_right_role(blog: TestClient) -> None:
    anonymous = blog.post("/users", json={"name": "x", "email": "x@example.com"})
    assert anonymous.status_code == 401
    assert problem(anonymous)["type"] == "https://fastbackend.dev/problems/unauthorized"
    assert anonymous.headers["www-authenticate"] == "ApiKey"
    forbidden = blog.post("/users", json={"name": "x", "email": "x@example.com"}, headers=ALICE)
    assert forbidden.status_code == 403
    assert problem(forbidden)["detail"] == "administrators only"
    assert blog.get("/users").status_code == 200  # reads are public


def test_posts_are_signed_by_the_key_and_edited_by_admins(blog: TestClient) -> None:
    post = blog.post("/posts", json={"title": "Hi", "body": "..."}, headers=ALICE)
    assert post.status_code == 201
    assert post.json()["author_id"] == 2
    assert "moderation_note" not in post.json()
    spoofed = blog.post("/posts", json={"title": "x", "body": "x", "author_id": 1}, headers=ALICE)
    assert spoofed.status_code == 422
    key = post.json()["id"]
    assert blog.patch(f"/posts/{key}", json={"title": "x"}, headers=ALICE).status_code == 403
    assert blog.patch(f"/posts/{key}", json={"title": "x"}, headers=ADMIN).status_code == 200


def test_the_override_and_the_custom_route(blog: TestClient) -> None:
    blog.post("/posts", json={"title": "Hi", "body": "..."}, headers=ALICE)
    assert blog.get("/users/2").json() == {"id": 2, "name": "Alice", "posts": 1}
    missing = blog.get("/users/99")
    assert missing.status_code == 404 and problem(missing)["status"] == 404
    assert blog.get("/me", headers=ALICE).json() == {"id": 2, "admin": False}
    assert blog.get("/me").status_code == 401
    paths = blog.get("/openapi.json").json()["paths"]
    assert "/me" in paths and "public_profile" in paths["/users/{key}"]["get"]["operationId"]


def test_write_only_email_and_configured_cors(blog: TestClient) -> None:
    users = blog.get("/users", headers={"Origin": "https://blog.example"})
    assert all("email" not in user for user in users.json()["data"])
    assert users.headers["access-control-allow-origin"] == "https://blog.example"
    assert blog.get("/users?email=alice@example.com").status_code == 400


def test_the_body_limit_applies(blog: TestClient) -> None:
    response = blog.post("/posts", json={"title": "t", "body": "x" * 70_000}, headers=ALICE)
    assert response.status_code == 413


def test_an_override_keeps_the_routes_auth_dependencies(
        tmp_path: Path, database_url: str) -> None:
    """Replacing GET /posts/{id} does not make it public: Post's read rule still runs."""
    from fastapi import HTTPException

    from fastbackend_fastapi import Auth, ModelAuth

    def members_only() -> None:
        raise HTTPException(403, "members only")

    (tmp_path / "custom").mkdir()
    (tmp_path / "custom" / "posts.py").write_text(
        "from fastbackend_fastapi import override\n\n"
        "@override('/posts/{id}', 'GET')\n"
        "async def read(id: int) -> dict[str, int]:\n"
        "    return {'id': id}\n")
    ir = compile_path(EXAMPLE)[1].ir
    auth = Auth(models={"Post": ModelAuth(dependencies={"read": [members_only]})})
    app = create_app(ir, database_url=database_url, project_path=EXAMPLE,
                     custom_path=tmp_path / "custom", auth=auth)
    with TestClient(app) as client:
        response = client.get("/posts/1")
        assert response.status_code == 403 and problem(response)["detail"] == "members only"
