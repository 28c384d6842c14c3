"""src/custom/ modules on a running server, and Prisma's implicit many-to-many (the `implicit`
test IR: `_ArticleToLabel(A, B)`), hidden and write-only fields, a list/read-only entity."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]


def created(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    row: dict[str, Any] = response.json()
    return row


def test_a_custom_module_is_loaded_and_replaces_a_generated_route(implicit: httpx.Client) -> None:
    assert implicit.get("/audit-entries").json() == {"custom": True, "labels": 0}
    # The generated routes of that entity still answer where the custom module did not step in.
    assert implicit.get("/audit-entries/1").status_code == 404
    assert implicit.post("/audit-entries", json={}).status_code == 405  # list and read only


def test_implicit_many_to_many_links_lists_and_unlinks(implicit: httpx.Client) -> None:
    article = created(implicit, "/articles", {"title": "Hello", "keywords": ["a", "b"], "views": 0})
    assert article["id"].startswith("c") and article["views"] == 0 and article["keywords"] == ["a", "b"]
    label = created(implicit, f"/articles/{article['id']}/labels", {"name": "news"})
    other = created(implicit, "/labels", {"name": "misc"})
    assert implicit.put(f"/articles/{article['id']}/labels/{other['id']}").status_code == 204
    assert implicit.put(f"/articles/{article['id']}/labels/{other['id']}").status_code == 204
    listed = implicit.get(f"/articles/{article['id']}/labels", params={"sort": "-id"}).json()
    assert [row["name"] for row in listed["data"]] == ["misc", "news"]
    back = implicit.get(f"/labels/{label['id']}/articles").json()
    assert [row["id"] for row in back["data"]] == [article["id"]]
    assert implicit.delete(f"/articles/{article['id']}/labels/{other['id']}").status_code == 204
    assert implicit.delete(f"/articles/{article['id']}/labels/{other['id']}").status_code == 404
    assert implicit.get("/articles", params={"labels.name": "misc"}).json()["data"] == []


def test_hidden_and_write_only_fields(implicit: httpx.Client) -> None:
    article = created(implicit, "/articles", {"title": "T", "keywords": [], "editToken": "s3cret"})
    assert "editToken" not in article and "internalNote" not in article
    refused = implicit.post("/articles", json={"title": "T", "keywords": [], "internalNote": "x"})
    assert refused.status_code == 422
    assert [e["code"] for e in refused.json()["errors"]] == ["unknown_field"]
    assert implicit.get("/articles", params={"editToken": "s3cret"}).status_code == 400
    assert implicit.get("/articles", params={"sort": "internalNote"}).status_code == 400


def test_bigint_values_are_exact_json_numbers(implicit: httpx.Client) -> None:
    article = created(implicit, "/articles", {"title": "B", "keywords": [], "views": 2**53 + 1})
    raw = implicit.get(f"/articles/{article['id']}").text
    assert '"views":9007199254740993' in raw  # beyond 2^53, written exactly
    assert implicit.get("/articles", params={"views": "9007199254740993"}).json()["meta"]["total"] == 1
    as_number = created(implicit, "/articles", {"title": "N", "keywords": ["9007199254740995"],
                                                "views": 2**63 - 1})
    assert as_number["views"] == 2**63 - 1 and as_number["keywords"] == ["9007199254740995"]
    out_of_range = implicit.post("/articles", json={"title": "O", "keywords": [], "views": 2**63})
    assert [(e["pointer"], e["code"]) for e in out_of_range.json()["errors"]] == [
        ("/views", "less_than_equal")]
    as_text = implicit.post("/articles", json={"title": "T", "keywords": [], "views": "12"})
    assert [e["code"] for e in as_text.json()["errors"]] == ["int_type"]  # as on the runtime


def test_a_model_in_another_database_schema(implicit: httpx.Client, database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(
                """INSERT INTO audit."AuditEntry" (message, at) VALUES ('hi', now())"""))
    finally:
        engine.dispose()
    assert implicit.get("/audit-entries/1").json()["message"] == "hi"
