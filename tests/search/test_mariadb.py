"""search= on MariaDB: a FULLTEXT index made with the tables, `MATCH ... AGAINST` in natural
language mode, ranked by its relevance score (docs/query-language.md, "Search")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastbackend_fastapi import create_app
from tests.search.conftest import TestClient
from tests.search.test_index_use import sent_statements
from tests.search.test_search import WORD, _by_matches, _ids, _seed
from tests.services import temporary_mariadb_database

pytestmark = pytest.mark.mariadb


@pytest.fixture(scope="module")
def module_mariadb_url() -> Iterator[str]:
    with temporary_mariadb_database() as url:
        yield url


@pytest.fixture(scope="module")
def seeded(search_ir: Path, module_mariadb_url: str) -> Iterator[tuple[TestClient, list[int]]]:
    """One server and its rows for the module (the tests only read)."""
    with TestClient(create_app(search_ir, database_url=module_mariadb_url,
                               custom_path=None)) as client:
        yield client, _by_matches(_seed(client))


def test_more_matches_rank_first(seeded: tuple[TestClient, list[int]]) -> None:
    client, ranked = seeded
    response = client.get("/articles", params={"search": WORD})
    assert _ids(response) == ranked
    assert response.json()["meta"]["total"] == len(ranked)
    # with a sort, the search only filters; and it is ANDed with the filters
    by_id = client.get("/articles", params={"search": WORD, "sort": "id"})
    assert _ids(by_id) == sorted(ranked)
    odd = _ids(client.get("/articles", params={"search": WORD, "category": "odd"}))
    assert odd and set(odd) < set(ranked) and odd == [i for i in ranked if i in odd]


def test_natural_language_mode_matches_any_word(seeded: tuple[TestClient, list[int]]) -> None:
    client, ranked = seeded
    # the titles are "entry <filler word>": a word of the title or of the body matches
    either = _ids(client.get("/articles", params={"search": f"{WORD} zzzunknown"}))
    assert sorted(either) == sorted(ranked)
    assert _ids(client.get("/articles", params={"search": "zzzunknown"})) == []
    # InnoDB's limits, documented: utf8mb4_bin makes it case-sensitive; short words and
    # stopwords are not indexed (a 200 with no rows, not a 400)
    assert _ids(client.get("/articles", params={"search": WORD.upper()})) == []
    assert _ids(client.get("/articles", params={"search": "the ab"})) == []


def test_the_fulltext_index_exists_and_serves_the_search(
        seeded: tuple[TestClient, list[int]], module_mariadb_url: str) -> None:
    client, _ = seeded
    with sent_statements() as sent:
        assert client.get("/articles", params={"search": WORD}).status_code == 200
    pages = [(s, p) for s, p in sent if "MATCH" in s and "LIMIT" in s.upper()]
    assert len(pages) == 1, sent
    engine = sa.create_engine(module_mariadb_url)
    try:
        with engine.connect() as connection:
            index = connection.exec_driver_sql(
                "SHOW INDEX FROM articles WHERE Key_name = 'articles_search'").mappings().all()
            assert [(r["Column_name"], r["Index_type"]) for r in index] == [
                ("title", "FULLTEXT"), ("body", "FULLTEXT")]
            statement, parameters = pages[0]
            plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).mappings().all()
    finally:
        engine.dispose()
    articles = [row for row in plan if row["table"] == "articles"]
    assert articles and articles[0]["type"] == "fulltext", plan
    assert articles[0]["key"] == "articles_search", plan


def test_a_model_without_search_refuses_it(seeded: tuple[TestClient, list[int]]) -> None:
    client, _ = seeded
    response = client.get("/notes", params={"search": WORD})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "'search'" in response.json()["detail"]
    assert "no full-text search" in response.json()["detail"]
