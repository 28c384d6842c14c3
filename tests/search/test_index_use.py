"""The search reads its index: the statement the runtime sends for `search=`, explained by the
database itself (PostgreSQL's EXPLAIN names the GIN index; SQLite's plan reads the FTS5 table)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from fastbackend_fastapi import create_app
from tests.search.conftest import TestClient

ROWS = 3000  # enough that PostgreSQL's planner prefers the index on its own (no enable_seqscan)
MATCHING = 5


@contextmanager
def sent_statements() -> Iterator[list[tuple[str, Any]]]:
    """Every statement the runtime's engines send while the block runs, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        sent.append((statement, parameters))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def _seed(client: TestClient) -> None:
    for start in range(0, ROWS, 1000):
        batch = [{"title": f"row {i}", "category": "c",
                  "body": "kiwi season" if i % (ROWS // MATCHING) == 0 else f"plain text {i}"}
                 for i in range(start, start + 1000)]
        assert client.post("/articles/bulk", json=batch).status_code == 201


def _search_statement(client: TestClient) -> tuple[str, Any]:
    with sent_statements() as sent:
        response = client.get("/articles", params={"search": "kiwi"})
    assert response.status_code == 200
    assert len(response.json()["data"]) == MATCHING
    pages = [(s, p) for s, p in sent if "LIMIT" in s.upper()]
    assert len(pages) == 1, sent
    return pages[0]


def _plan(url: str, explain: str, statement: str, parameters: Any,
          analyze: bool = False) -> str:
    """The database's plan of the statement the runtime sent (its detail column, one line each);
    with ``analyze``, the table's statistics are gathered first."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if analyze:
                connection.exec_driver_sql("ANALYZE articles")
            rows = connection.exec_driver_sql(f"{explain} {statement}", parameters)
            return "\n".join(str(row[-1]) for row in rows)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_plans_the_gin_index(search_ir: Path, postgres_url: str) -> None:
    app = create_app(search_ir, database_url=postgres_url, custom_path=None)
    with TestClient(app) as client:
        _seed(client)
        statement, parameters = _search_statement(client)
    plan = _plan(postgres_url, "EXPLAIN", statement, parameters, analyze=True)
    assert "articles_search" in plan, plan  # a Bitmap Index Scan on the GIN index
    assert "Seq Scan on articles" not in plan, plan


def test_sqlite_plans_the_fts5_table(search_ir: Path, tmp_path: Path) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'app.db'}"
    app = create_app(search_ir, database_url=url, custom_path=None)
    with TestClient(app) as client:
        _seed(client)
        statement, parameters = _search_statement(client)
    plan = _plan(url, "EXPLAIN QUERY PLAN", statement, parameters)
    # the FTS5 table answers MATCH from its index; the rows are then read by rowid
    assert "SCAN articles_search VIRTUAL TABLE INDEX" in plan, plan
    assert "SCAN articles\n" not in plan + "\n", plan
