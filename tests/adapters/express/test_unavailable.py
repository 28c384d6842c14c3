"""A database that does not answer: /healthz and every route give 503 problems, never a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import local_http
from tests.adapters.express.servers import Servers

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]


def test_an_unreachable_database_is_a_503_with_retry_after(express_servers: Servers) -> None:
    url = express_servers.unreachable_database("blog")
    with local_http.client(base_url=url, timeout=30) as client:
        for path in ("/healthz", "/users", "/posts/1"):
            response = client.get(path)
            assert response.status_code == 503, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"] == "1"
            assert response.json()["type"].endswith("/database-unavailable")


def test_sql_the_database_refuses_is_a_500_database_error_not_a_503(
        express_servers: Servers) -> None:
    """As the runtime (tests/adapters/fastapi/test_database_refusals.py): a trigger calls a
    function PostgreSQL does not have, so every insert into tags fails for good."""
    server = express_servers.get("blog")
    statements = [
        "CREATE FUNCTION broken() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM no_such_fn(); RETURN NEW; END $$",
        "CREATE TRIGGER broken BEFORE INSERT ON tags FOR EACH ROW EXECUTE FUNCTION broken()"]
    with server.engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    try:
        with server.client() as client:
            response = client.post("/tags", json={"name": "refused"})
            assert response.status_code == 500, response.text
            assert "retry-after" not in response.headers
            assert response.json()["type"].endswith("/database-error")
            assert "no_such_fn" not in response.text  # the statement is logged, not sent
            assert client.get("/healthz").status_code == 200
        # Logged with what the database said and the statement, as the runtime logs it.
        log = (server.project / f"server-{server.url.rsplit(':', 1)[1]}.log").read_text()
        refused = log[log.index("the database refused a statement on POST /tags"):]
        assert "function no_such_fn() does not exist" in refused
        assert 'statement: INSERT INTO "public"."tags"' in refused
    finally:
        with server.engine.begin() as connection:
            connection.execute(sa.text("DROP TRIGGER broken ON tags"))
            connection.execute(sa.text("DROP FUNCTION broken()"))
