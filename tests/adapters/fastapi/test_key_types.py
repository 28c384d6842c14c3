"""A primary key of every type the compiler writes: served (create, read by its Location, filter,
delete) or, where no URL can name a row, no routes and the document says why; never a start-up
crash. A NUMERIC or FLOAT key was marked autoincrement, which stopped start-up on PostgreSQL
(`not compatible with autoincrement=True`) and made the key read-only on SQLite."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.pipeline import compile_path
from fastbackend_fastapi.database import dialects
from fastbackend_ir import IRValidationError, dumps, load, loads
from tests.adapters.fastapi.conftest import MakeClient

MODELS = '''
import enum
from sqlalchemy import *
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Kind(enum.Enum):
    a = "a"
    b = "b"


class Thing(Base):
    __tablename__ = "things"

    k = mapped_column({type}, primary_key=True{extra})
    label: Mapped[str] = mapped_column(String(20))
'''

# SQLAlchemy type -> the key a client sends, and its spelling in the Location header.
SERVED = {
    "Numeric(10, 2)": ("1.50", "1.50"),
    "Float": (1.5, "1.5"),
    "Boolean": (True, "true"),  # JSON's spelling, as the Express server writes it
    "LargeBinary": ("aGk=", quote("aGk=", safe="")),
    "DateTime": ("2024-01-02T03:04:05", quote("2024-01-02T03:04:05", safe="")),
    "Date": ("2024-01-02", "2024-01-02"),
    "Time": ("03:04:05", quote("03:04:05", safe="")),
    "Interval": ("P1D", "P1D"),
    "Enum(Kind)": ("a", "a"),
    "Uuid": ("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000001"),
}


def _compile(tmp_path: Path, type_: str, extra: str = "") -> Path:
    models = tmp_path / "models.py"
    models.write_text(MODELS.format(type=type_, extra=extra), "utf-8")
    _, result = compile_path(models)
    ir_path = tmp_path / "ir.json"
    ir_path.write_text(dumps(result.ir), "utf-8")
    return ir_path


@pytest.mark.parametrize("type_", SERVED)
def test_a_key_of_each_type_is_served(type_: str, tmp_path: Path,
                                      make_client: MakeClient) -> None:
    key, spelled = SERVED[type_]
    client = make_client(_compile(tmp_path, type_))
    created = client.post("/things", json={"k": key, "label": "x"})
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/things/{spelled}"
    read = client.get(created.headers["location"])
    assert read.status_code == 200 and read.json()["label"] == "x"
    if type_ != "LargeBinary":  # bytes are not filtered on (docs/query-language.md)
        listed = client.get("/things", params={"k": created.json()["k"]})
        assert listed.status_code == 200 and listed.json()["meta"]["total"] == 1
    assert client.delete(created.headers["location"]).status_code == 204
    assert client.get(created.headers["location"]).status_code == 404


@pytest.mark.parametrize("type_", ["JSON", "ARRAY(String)"])
def test_a_key_no_url_can_spell_gets_no_routes_and_the_document_says_why(
        type_: str, tmp_path: Path, make_client: MakeClient, database_url: str) -> None:
    if type_ == "JSON" and not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL and MySQL cannot index json: tested below as a refusal at start")
    if type_.startswith("ARRAY") and not dialects.for_url(database_url).has_arrays:
        pytest.skip("an ARRAY is PostgreSQL's")
    client = make_client(_compile(tmp_path, type_))
    assert client.post("/things", json={"k": "x", "label": "x"}).status_code == 404
    reason = client.get("/openapi.json").json()["x-fastbackend-unrouted"]["Thing"]
    assert "`k`" in reason and "no URL" in reason


@pytest.mark.postgres
def test_a_json_key_on_postgres_is_refused_at_start_saying_why(tmp_path: Path,
                                                               postgres_url: str) -> None:
    from starlette.testclient import TestClient

    from fastbackend_fastapi import create_app
    from fastbackend_fastapi.database import UnsupportedSQL

    ir_path = _compile(tmp_path, "JSON")
    with (pytest.raises(UnsupportedSQL, match=r"json has no default operator class.* key the "
                                              r"model by another field, or store the value as "
                                              r"jsonb"),
          TestClient(create_app(ir_path, database_url=postgres_url, custom_path=None))):
        pass


@pytest.mark.mariadb
def test_a_json_key_on_mariadb_is_refused_at_start_saying_why(tmp_path: Path,
                                                              mariadb_url: str) -> None:
    from starlette.testclient import TestClient

    from fastbackend_fastapi import create_app
    from fastbackend_fastapi.database import UnsupportedSQL

    ir_path = _compile(tmp_path, "JSON")
    with (pytest.raises(UnsupportedSQL, match=r"BLOB/TEXT column 'k' used in key.* cannot be "
                                              r"made on MySQL"),
          TestClient(create_app(ir_path, database_url=mariadb_url, custom_path=None))):
        pass


@pytest.mark.parametrize("type_", ["Float", "Numeric(10, 2)", "String(10)"])
def test_autoincrement_on_a_key_that_is_no_integer_is_a_diagnostic(type_: str,
                                                                   tmp_path: Path) -> None:
    with pytest.raises(CompileError) as raised:
        _compile(tmp_path, type_, ", autoincrement=True")
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("FB114", 19, 5)
    assert "only an integer column" in diagnostic.message


def test_an_ir_with_autoincrement_on_a_decimal_is_refused_on_load(tmp_path: Path) -> None:
    text = _compile(tmp_path, "Numeric(10, 2)").read_text("utf-8")
    broken = text.replace('"primaryKey": true,', '"autoincrement": true,\n'
                          '          "primaryKey": true,', 1)
    assert broken != text
    with pytest.raises(IRValidationError, match="autoincrement"):
        loads(broken)


def test_the_express_server_has_no_routes_for_a_json_key_either(tmp_path: Path) -> None:
    from fastbackend_express.project import render_project

    outputs = render_project(load(_compile(tmp_path, "JSON")))
    things = next(text for path, text in outputs.items()
                  if path.startswith("src/routes/") and "/things" in text)
    assert "router.get(" not in things and "router.post(" not in things


@pytest.mark.parametrize("key", ['k Unsupported("circle") @id',
                                 'k Unsupported("circle")\n  l Int\n\n  @@id([k, l])'])
def test_a_prisma_key_of_an_unsupported_field_is_no_unique_criterion(key: str,
                                                                     tmp_path: Path) -> None:
    """As Prisma's engine decides (prisma-schema-wasm 7): FB210, not a model served without
    routes."""
    schema = tmp_path / "schema.prisma"
    schema.write_text(f'datasource db {{\n  provider = "postgresql"\n}}\n\nmodel Thing {{\n'
                      f'  {key}\n}}\n', "utf-8")
    with pytest.raises(CompileError) as raised:
        compile_path(schema)
    assert [(d.code, d.line) for d in raised.value.diagnostics] == [("FB210", 5)]
    # with another criterion it compiles, and the Unsupported key leaves it unrouted
    text = schema.read_text("utf-8").removesuffix("}\n")
    schema.write_text(text + "  email String @unique\n}\n", "utf-8")
    ir = compile_path(schema)[1].ir
    assert ir.entity("Thing").field("k").type == "unsupported"
