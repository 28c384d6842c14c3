"""SQLAlchemy single-table inheritance, compiled, migrated and served on both databases.

Subclasses without a table of their own (Engineer and Manager share `staff`) each got a table in
the runtime's catalog, and the server did not start ("Table 'staff' is already defined"). Now
the root describes the whole table (every subclass's own columns too, as SQLAlchemy's
`Staff.__table__` does) and serves every row at /staffs, the discriminator telling them apart;
a subclass has no routes of its own, and the document says where its rows are
(docs/frontends/sqlalchemy.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from starlette.testclient import TestClient

from fastbackend.cli.main import cli
from fastbackend_express.project import render_project
from fastbackend_fastapi import create_app
from fastbackend_ir import load
from tests.frontends.sqlalchemy.differential import CORPUS

MODELS = CORPUS / "single_table_inheritance.py"


def _run(*args: str) -> str:
    done = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done.stdout


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "app"
    folder.mkdir()
    shutil.copy(MODELS, folder / "models.py")
    _run("compile", str(folder), "-q")
    return folder


def test_a_single_table_hierarchy_compiles_migrates_and_serves(tmp_path: Path,
                                                                database_url: str) -> None:
    folder = _project(tmp_path)
    _run("migrate", str(folder), "--apply", "--database-url", database_url, "-q")
    assert "no revision written" in _run("migrate", str(folder), "--database-url", database_url)
    engine = sa.create_engine(database_url)
    try:
        inspector = sa.inspect(engine)
        assert set(inspector.get_table_names()) == {"alembic_version", "companies", "staff"}
        assert [c["name"] for c in inspector.get_columns("staff")] == [
            "id", "name", "kind", "company_id", "language", "reports"]
    finally:
        engine.dispose()
    app = create_app(folder / ".fastbackend" / "ir.json", database_url=database_url,
                     custom_path=None)
    with TestClient(app) as client:
        company = client.post("/companies", json={}).json()["id"]
        engineer = client.post("/staffs", json={"name": "ada", "kind": "engineer",
                                                "language": "py", "company_id": company})
        assert engineer.status_code == 201, engineer.text
        manager = client.post("/staffs", json={"name": "bo", "kind": "manager", "reports": 3})
        assert manager.status_code == 201, manager.text
        assert client.get(engineer.headers["location"]).json()["language"] == "py"
        engineers = client.get("/staffs", params={"kind": "engineer"}).json()["data"]
        assert [(row["name"], row["language"]) for row in engineers] == [("ada", "py")]
        employed = client.get(f"/companies/{company}/staff").json()["data"]
        assert [row["name"] for row in employed] == ["ada"]
        patched = client.patch(manager.headers["location"], json={"reports": 4})
        assert patched.status_code == 200 and patched.json()["reports"] == 4
        assert client.get("/engineers").status_code == 404
        unrouted = client.get("/openapi.json").json()["x-fastbackend-unrouted"]
        assert unrouted["Engineer"].endswith("served at /staffs, where `kind` is 'engineer'")
        assert client.delete(engineer.headers["location"]).status_code == 204


def test_the_express_server_has_one_model_for_the_table(tmp_path: Path) -> None:
    outputs = render_project(load(_project(tmp_path) / ".fastbackend" / "ir.json"))
    schema = outputs["prisma/schema.prisma"]
    assert schema.count('@@map("staff")') == 1 and "model Engineer" not in schema
    assert "language" in schema and "reports" in schema
    assert not any("engineer" in path for path in outputs)
