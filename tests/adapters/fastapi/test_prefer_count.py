"""`Prefer: count=exact|planned|estimated|none` on the list routes, and `Preference-Applied`
(fastbackend_contract.tables, "Prefer: count"; docs/query-language.md, "Counting")."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from fastbackend_contract import tables


def _seed(client: TestClient, posts: int = 12) -> None:
    author = client.post("/users", json={"email": "a@x.io"}).json()["id"]
    client.post("/users", json={"email": "b@x.io"})
    for i in range(posts):
        response = client.post("/posts", json={
            "title": f"t{i}", "body": "b", "author_id": author,
            "status": "published" if i % 3 == 0 else "draft"})
        assert response.status_code == 201


def _meta(client: TestClient, path: str, prefer: str | None = None,
          **params: Any) -> tuple[dict[str, Any], str | None]:
    response = client.get(path, params=params, headers={"Prefer": prefer} if prefer else {})
    assert response.status_code == 200, response.text
    return response.json()["meta"], response.headers.get("preference-applied")


def _planned_database(client: TestClient) -> bool:
    return client.app.state.runtime.database.engine.dialect.name == "postgresql"  # type: ignore[attr-defined]


def _plan_rows(client: TestClient, sql: str) -> int:
    """The planner's estimate, asked of PostgreSQL directly (what `planned` must answer)."""
    engine: sa.Engine = client.app.state.runtime.database.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        plan = connection.execute(sa.text(f"EXPLAIN (FORMAT JSON) {sql}")).scalar_one()
    return int(plan[0]["Plan"]["Plan Rows"])


def test_exact_none_and_the_default(blog: TestClient) -> None:
    _seed(blog)
    meta, applied = _meta(blog, "/posts", limit=2)
    assert (meta["total"], applied) == (12, None)  # the default, unchanged, unsaid
    meta, applied = _meta(blog, "/posts", "count=exact", status="published", limit=2)
    assert (meta["total"], applied) == (4, "count=exact")
    meta, applied = _meta(blog, "/posts", "count=none", limit=2)
    assert "total" in meta and meta["total"] is None and applied == "count=none"
    # a cursor page counts nothing by default; the header asks for the count
    cursor = _meta(blog, "/posts", limit=2)[0]["next_cursor"]
    assert _meta(blog, "/posts", cursor=cursor, limit=2)[0]["total"] is None
    meta, applied = _meta(blog, "/posts", "count=exact", cursor=cursor, limit=2)
    assert (meta["total"], applied) == (12, "count=exact")


def test_the_parameter_wins_and_unknown_values_are_ignored(blog: TestClient) -> None:
    _seed(blog)
    meta, applied = _meta(blog, "/posts", "count=none", count="exact", limit=2)
    assert (meta["total"], applied) == (12, None)
    meta, applied = _meta(blog, "/posts", "count=some, Count=none", limit=2)
    assert (meta["total"], applied) == (12, None)  # the first occurrence wins: unknown, default
    meta, applied = _meta(blog, "/posts", 'Count="none"; x=1', limit=2)
    assert (meta["total"], applied) == (None, "count=none")
    bad = blog.get("/posts", params={"count": "some"})
    assert bad.status_code == 400 and "count" in bad.json()["detail"]


def test_every_list_route_takes_it(blog: TestClient) -> None:
    _seed(blog)
    related = blog.get("/users/1/posts", params={"limit": 2}, headers={"Prefer": "count=none"})
    assert related.json()["meta"]["total"] is None
    assert related.headers["preference-applied"] == "count=none"
    queried = blog.post("/posts/query", json={"limit": 2, "status": "draft"},
                        headers={"Prefer": "count=exact"})
    assert queried.json()["meta"]["total"] == 8
    assert queried.headers["preference-applied"] == "count=exact"
    given = blog.post("/posts/query", json={"limit": 2, "count": "none"},
                      headers={"Prefer": "count=exact"})
    assert given.json()["meta"]["total"] is None and "preference-applied" not in given.headers


@pytest.mark.parametrize("method", [tables.COUNT_PLANNED, tables.COUNT_ESTIMATED])
def test_planned_is_the_planners_estimate_where_there_is_one(blog: TestClient,
                                                              method: str) -> None:
    """PostgreSQL: `planned` is EXPLAIN's row estimate (not the count: an unanalysed table's
    estimate comes from its pages); `estimated` counts exactly below its threshold. Elsewhere
    both count exactly and say `count=exact`."""
    _seed(blog)
    meta, applied = _meta(blog, "/posts", f"count={method}", limit=2)
    rows = [row["id"] for row in blog.get("/posts", params={"limit": 2}).json()["data"]]
    page = blog.get("/posts", params={"limit": 2}, headers={"Prefer": f"count={method}"})
    assert [row["id"] for row in page.json()["data"]] == rows  # the page itself is the same
    if not _planned_database(blog):
        assert (meta["total"], applied) == (12, "count=exact")
        return
    if method == tables.COUNT_ESTIMATED:
        assert (meta["total"], applied) == (12, "count=estimated")  # 12 <= the threshold
        return
    assert applied == "count=planned"
    assert meta["total"] == _plan_rows(blog, "SELECT 1 FROM posts")
    filtered, _ = _meta(blog, "/posts", "count=planned", status="published", limit=2)
    assert filtered["total"] == _plan_rows(blog, "SELECT 1 FROM posts WHERE status = 'published'")
    related, applied = _meta(blog, "/users/1/posts", "count=planned", limit=2)
    assert applied == "count=planned"
    assert related["total"] == _plan_rows(blog, "SELECT 1 FROM posts WHERE author_id = 1")


@pytest.mark.postgres
def test_estimated_answers_the_plan_above_its_threshold(postgres_url: str) -> None:
    from fastbackend_fastapi import create_app
    from tests.adapters.fastapi.conftest import BLOG

    with TestClient(create_app(BLOG, database_url=postgres_url, custom_path=None)) as client:
        _seed(client, posts=1)
        engine: sa.Engine = client.app.state.runtime.database.engine  # type: ignore[attr-defined]
        rows = tables.ESTIMATED_EXACT_UP_TO + 2000
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO posts (title, body, author_id, status, created_at, updated_at) "
                "SELECT 'bulk ' || i, 'b', 1, 'draft', now(), now() "
                "FROM generate_series(1, :n) AS i"), {"n": rows})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE posts"))
        meta, applied = _meta(client, "/posts", "count=estimated", limit=2)
        planned = _plan_rows(client, "SELECT 1 FROM posts")
        assert planned > tables.ESTIMATED_EXACT_UP_TO
        assert (meta["total"], applied) == (planned, "count=estimated")
        exact, _ = _meta(client, "/posts", "count=exact", limit=2)
        assert exact["total"] == rows + 1
