"""Hidden and write-only fields, from info= on a column and from fastbackend.yaml: never read,
filtered, sorted on or included by any route, generated or relation."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from fastbackend.pipeline import compile_path
from fastbackend_fastapi import create_app
from fastbackend_ir import dumps
from tests.adapters.fastapi.conftest import MakeClient, problem

MODELS = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    password: Mapped[str] = mapped_column(info={"fastbackend": {"write_only": True}})
    risk: Mapped[int] = mapped_column(default=0, info={"fastbackend": {"hidden": True}})
    notes: Mapped[list["Note"]] = relationship(back_populates="account")


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    text: Mapped[str]
    internal: Mapped[str | None]
    account: Mapped[Account] = relationship(back_populates="notes")
"""

CONFIG = """
schema: models.py
models:
  Note:
    fields:
      internal: hidden
"""
SECRETS = ("password", "risk", "internal", "s3cret", "42", "do-not-show")


def _seeded(client: TestClient) -> TestClient:
    created = client.post("/accounts", json={"name": "ann", "password": "s3cret"})
    assert created.status_code == 201, created.text
    note = client.post("/accounts/1/notes", json={"text": "hello"})
    assert note.status_code == 201, note.text
    engine = client.app.state.runtime.database.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:  # values the API cannot set, to see that none leaks
        connection.execute(sa.text("UPDATE accounts SET risk = 42"))
        connection.execute(sa.text("UPDATE notes SET internal = 'do-not-show'"))
    return client


def _compiled(folder: Path) -> Path:
    (folder / "models.py").write_text(MODELS)
    (folder / "fastbackend.yaml").write_text(textwrap.dedent(CONFIG))
    ir_path = folder / ".fastbackend" / "ir.json"
    ir_path.parent.mkdir()
    ir_path.write_text(dumps(compile_path(folder)[1].ir))
    return ir_path


@pytest.fixture
def app(make_client: MakeClient, tmp_path: Path) -> TestClient:
    """The seeded app of one test that writes."""
    return _seeded(make_client(_compiled(tmp_path)))


@pytest.fixture(scope="module")
def read_app(module_database_url: str,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The seeded app shared by the tests that only read or are refused."""
    ir_path = _compiled(tmp_path_factory.mktemp("visibility"))
    app = create_app(ir_path, database_url=module_database_url, custom_path=None)
    with TestClient(app) as client:
        yield _seeded(client)


def _no_secret(body: object) -> None:
    text = json.dumps(body)
    for secret in SECRETS:
        assert secret not in text, (secret, text)


@pytest.mark.parametrize("path", [
    "/accounts", "/accounts/1", "/notes", "/notes/1", "/accounts/1/notes", "/notes/1/account",
    "/accounts?include=notes", "/notes?include=account", "/accounts/1/notes?include=account",
])
def test_no_route_returns_a_hidden_or_write_only_value(read_app: TestClient, path: str) -> None:
    response = read_app.get(path)
    assert response.status_code == 200, response.text
    _no_secret(response.json())


def test_writes_return_no_hidden_or_write_only_value(app: TestClient) -> None:
    created = app.post("/accounts", json={"name": "bo", "password": "s3cret"})
    _no_secret(created.json())
    _no_secret(app.patch("/accounts/1", json={"password": "s3cret", "name": "a"}).json())
    _no_secret(app.put("/accounts/1", json={"password": "s3cret", "name": "a"}).json())
    _no_secret(app.post("/accounts/1/notes", json={"text": "t"}).json())


def test_a_write_only_value_is_stored(app: TestClient) -> None:
    app.patch("/accounts/1", json={"password": "changed"})
    engine = app.app.state.runtime.database.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT password FROM accounts")).scalar() == "changed"


@pytest.mark.parametrize("field", ["risk", "internal"])
def test_a_hidden_field_cannot_be_written(read_app: TestClient, field: str) -> None:
    path = "/accounts" if field == "risk" else "/accounts/1/notes"
    body = {"name": "x", "password": "p"} if field == "risk" else {"text": "t"}
    response = read_app.post(path, json={**body, field: 1})
    assert response.status_code == 422
    assert problem(response)["errors"][0]["code"] == "unknown_field"  # type: ignore[index]


@pytest.mark.parametrize("query", [
    "/accounts?risk=42", "/accounts?risk__gt=1", "/accounts?password=s3cret",
    "/accounts?password__startswith=s", "/accounts?sort=risk", "/accounts?sort=-password",
    "/accounts?fields=id,risk", "/accounts?fields=password",
    '/accounts?where={"risk":{"gt":1}}', '/accounts?where={"password":"s3cret"}',
    "/notes?internal=do-not-show", "/notes?sort=internal", "/notes?account.risk=42",
    "/notes?account.password=s3cret", '/notes?where={"account":{"is":{"risk":42}}}',
    "/accounts/1/notes?internal=do-not-show", "/accounts/1/notes?sort=internal",
    "/accounts?notes.internal=do-not-show", "/accounts?include=notes.internal",
    "/accounts?include=risk",
])
def test_hidden_and_write_only_fields_cannot_be_queried(read_app: TestClient, query: str) -> None:
    response = read_app.get(query)
    assert response.status_code == 400, (query, response.text)
    assert problem(response)["type"] == "https://fastbackend.dev/problems/invalid-parameter"


def test_the_openapi_shows_write_only_fields_only_as_input(read_app: TestClient) -> None:
    schemas = read_app.get("/openapi.json").json()["components"]["schemas"]
    text = json.dumps(schemas)
    assert "risk" not in text and "internal" not in text
    read = [name for name, schema in schemas.items()
            if "password" in schema.get("properties", {})]
    assert read and all("Create" in n or "Update" in n or "Replace" in n for n in read), read


PRISMA = """
datasource db {
  provider = "sqlite"
  url      = "file:dev.db"
}

model Member {
  id       Int     @id @default(autoincrement())
  name     String
  /// @writeOnly
  password String
  /// @hidden
  flagged  Boolean @default(false)
}
"""


def test_prisma_doc_annotations_reach_every_route(make_client: MakeClient, tmp_path: Path) -> None:
    (tmp_path / "schema.prisma").write_text(PRISMA)
    ir_path = tmp_path / ".fastbackend" / "ir.json"
    ir_path.parent.mkdir()
    ir_path.write_text(dumps(compile_path(tmp_path / "schema.prisma")[1].ir))
    client = make_client(ir_path)
    created = client.post("/members", json={"name": "m", "password": "s3cret"})
    assert created.status_code == 201, created.text
    assert created.json() == {"id": 1, "name": "m"}
    assert client.get("/members/1").json() == {"id": 1, "name": "m"}
    for query in ("/members?flagged=true", "/members?password=s3cret", "/members?sort=flagged"):
        assert client.get(query).status_code == 400, query
    assert client.post("/members", json={"name": "x", "password": "p",
                                         "flagged": True}).status_code == 422
