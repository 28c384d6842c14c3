"""An aggregate runs at most `limits.aggregate_timeout_seconds`: past it, 503 database-timeout
(SQLite's progress handler interrupts the statement), and the connection serves the next
request in full."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from fastbackend_fastapi import create_app
from tests.adapters.fastapi.conftest import problem
from tests.adapters.fastapi.test_aggregates import IR_PATH


def test_an_aggregate_past_its_timeout_is_a_503(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTBACKEND_AGGREGATE_TIMEOUT_SECONDS", "0.000001")
    app = create_app(IR_PATH, database_url=f"sqlite+pysqlite:///{tmp_path / 'app.db'}",
                     custom_path=None)
    with TestClient(app) as client:
        posts = [{"title": f"t{i}", "status": "s", "views": i} for i in range(1000)]
        assert client.post("/posts/bulk", json=posts).status_code == 201
        response = client.get("/posts/aggregate", params={"group_by": "views", "limit": "5"})
        assert response.status_code == 503, response.text
        assert problem(response)["type"] == "https://fastbackend.dev/problems/database-timeout"
        assert response.headers["retry-after"] == "5"
        listed = client.get("/posts", params={"limit": "1"})  # the handler is gone
        assert listed.status_code == 200 and listed.json()["meta"]["total"] == 1000
