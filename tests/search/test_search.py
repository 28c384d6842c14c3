"""search= on SQLite (FTS5, bm25) and PostgreSQL (GIN index, ts_rank): ranking, filters, sort,
paging, the index kept in sync with writes, and the 400s (docs/query-language.md, "Search")."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.search.conftest import TestClient

WORD = "kiwi"
FILLER = ("lorem", "ipsum", "dolor", "amet", "sed")
LENGTH = 12  # words in every body: equal lengths, so rank follows the number of matches


def _body(matches: int, rng: random.Random) -> str:
    words = [WORD] * matches + [rng.choice(FILLER) for _ in range(LENGTH - matches)]
    rng.shuffle(words)
    return " ".join(words)


def _seed(client: TestClient, count: int = 9) -> list[dict[str, Any]]:
    """Rows whose bodies hold the word 0..n times (each count once, shuffled), half in each
    category; the created rows as the server returned them."""
    rng = random.Random(23)
    matches = list(range(count))
    rng.shuffle(matches)
    rows = []
    for i, n in enumerate(matches):
        body = {"title": f"entry {FILLER[i % len(FILLER)]}", "body": _body(n, rng),
                "category": "even" if i % 2 == 0 else "odd", "views": rng.randrange(1000)}
        response = client.post("/articles", json=body)
        assert response.status_code == 201, response.text
        rows.append(response.json())
    return rows


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["data"]]


def _by_matches(rows: list[dict[str, Any]]) -> list[int]:
    """The rows that hold the word, most occurrences first (computed from the data)."""
    found = [row for row in rows if row["body"].split().count(WORD) > 0]
    found.sort(key=lambda row: (-row["body"].split().count(WORD), row["id"]))
    return [row["id"] for row in found]


def test_more_matches_rank_first(client: TestClient) -> None:
    rows = _seed(client)
    response = client.get("/articles", params={"search": WORD})
    assert _ids(response) == _by_matches(rows)
    assert response.json()["meta"]["total"] == len(_by_matches(rows))
    assert response.json()["meta"]["next_cursor"] is None


def test_search_combines_with_filters(client: TestClient) -> None:
    rows = _seed(client)
    response = client.get("/articles", params={"search": WORD, "category": "odd",
                                               "views__gte": "100"})
    expected = [i for i in _by_matches(rows)
                if any(r["id"] == i and r["category"] == "odd" and r["views"] >= 100
                       for r in rows)]
    assert expected  # the seed has such rows: the filter is tested, not vacuous
    assert _ids(response) == expected
    where = '{"OR": [{"category": "even"}, {"views": {"lt": 100}}]}'
    response = client.get("/articles", params={"search": WORD, "where": where})
    assert _ids(response) == [i for i in _by_matches(rows) if i not in expected]


def test_explicit_sort_orders_a_search_and_pages_it_by_cursor(client: TestClient) -> None:
    rows = _seed(client)
    matching = set(_by_matches(rows))
    expected = [r["id"] for r in sorted(rows, key=lambda r: (-r["views"], r["id"]))
                if r["id"] in matching]
    seen: list[int] = []
    params: dict[str, Any] = {"search": WORD, "sort": "-views", "limit": 3}
    for _ in range(10):
        response = client.get("/articles", params=params)
        seen += _ids(response)
        cursor = response.json()["meta"]["next_cursor"]
        if cursor is None:
            break
        params["cursor"] = cursor
    assert seen == expected


def test_rank_order_pages_by_offset_and_refuses_a_cursor(client: TestClient) -> None:
    rows = _seed(client)
    pages = [_ids(client.get("/articles", params={"search": WORD, "limit": 3, "offset": o}))
             for o in (0, 3, 6)]
    assert [i for page in pages for i in page] == _by_matches(rows)
    response = client.get("/articles", params={"search": WORD, "cursor": "abc"})
    assert response.status_code == 400
    assert response.json()["type"].endswith("/invalid-parameter")
    assert "cursor" in response.json()["detail"]


def test_web_search_syntax(client: TestClient) -> None:
    for body in ("the quick brown fox", "a quick red fox", "brown bears sleep", "(fox) [trap]"):
        assert client.post("/articles", json={"title": "t", "body": body,
                                              "category": "c"}).status_code == 201
    ask = {'"quick brown"': [1], "quick -red": [1], "bears or red": [2, 3],
           'fox "trap': [4], "brown": [1, 3], "fox' OR 1=1 --": [1, 2, 4]}
    for text, expected in ask.items():
        assert sorted(_ids(client.get("/articles", params={"search": text}))) == expected, text


def test_index_follows_updates_and_deletes(client: TestClient) -> None:
    first = client.post("/articles", json={"title": "apple", "body": "pie", "category": "c"})
    second = client.post("/articles", json={"title": "pear", "body": "tart", "category": "c"})
    one, two = first.json()["id"], second.json()["id"]
    assert _ids(client.get("/articles", params={"search": "apple"})) == [one]
    assert client.patch(f"/articles/{one}", json={"title": "plum"}).status_code == 200
    assert client.patch(f"/articles/{two}", json={"body": "apple tart"}).status_code == 200
    assert _ids(client.get("/articles", params={"search": "apple"})) == [two]
    assert _ids(client.get("/articles", params={"search": "plum"})) == [one]
    assert client.delete(f"/articles/{two}").status_code == 204
    assert _ids(client.get("/articles", params={"search": "apple"})) == []
    assert _ids(client.get("/articles", params={"search": "tart"})) == []


def test_query_body_takes_search(client: TestClient) -> None:
    rows = _seed(client)
    response = client.post("/articles/query", json={"search": WORD, "limit": 4})
    assert _ids(response) == _by_matches(rows)[:4]


@pytest.mark.parametrize(("path", "params", "names"), [
    ("/notes", {"search": "x"}, "Note has no full-text search"),
    ("/articles", {"search": "  !! "}, "at least one word"),
])
def test_refusals(client: TestClient, path: str, params: dict[str, str], names: str) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "https://fastbackend.dev/problems/invalid-parameter"
    assert names in body["detail"] and "'search'" in body["detail"]
