"""/livez answers while the process does; /readyz while the database answers AND is at the
head of the project's migrations/ (503 problems otherwise); /healthz as before."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.testclient import TestClient

from fastbackend_fastapi.operations.health import MIGRATIONS
from tests.adapters.fastapi.conftest import problem
from tests.adapters.fastapi.operations.conftest import MakeOps

REVISION = '''"""a revision as `fastbackend migrate` writes one"""
revision = "{revision}"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


def _revisions(*names: str) -> dict[str, str]:
    files, down = {}, None
    for name in names:
        files[f"{MIGRATIONS}/versions/{name}.py"] = REVISION.format(revision=name, down=down)
        down = name
    return files


def _unreachable(client: TestClient) -> None:
    database = client.app.state.runtime.database  # type: ignore[attr-defined]
    database.read_engine = sa.create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    database.async_engine = None


def test_both_answer_without_migrations(make_ops: MakeOps) -> None:
    client = make_ops()
    assert client.get("/livez").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_readyz_waits_for_the_migrations_head(make_ops: MakeOps, database_url: str) -> None:
    client = make_ops(files=_revisions("a1", "b2"))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = problem(response)
    assert str(body["type"]).endswith("/not-ready")
    assert "b2" in body["detail"]  # type: ignore[operator]
    assert response.headers["retry-after"] == "30"
    assert client.get("/livez").status_code == 200  # not ready is not dead
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:  # what `migrate --apply` leaves: Alembic's version table
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) "
                                   "NOT NULL PRIMARY KEY)"))
        connection.execute(sa.text("INSERT INTO alembic_version VALUES ('a1')"))
    assert client.get("/readyz").status_code == 503  # behind by one
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'b2'"))
    engine.dispose()
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_without_the_database_and_livez_is_not(make_ops: MakeOps) -> None:
    client = make_ops()
    _unreachable(client)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert str(problem(response)["type"]).endswith("/database-unavailable")
    assert client.get("/livez").status_code == 200
