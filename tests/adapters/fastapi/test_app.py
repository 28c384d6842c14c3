"""The app around the routes: health, custom routers, settings, the public API, the target."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

import fastbackend_fastapi
from fastbackend_fastapi import Settings, create_app
from fastbackend_fastapi.database.dialects import normalise_url
from fastbackend_fastapi.settings import from_environment
from fastbackend_fastapi.target import TARGET
from fastbackend_ir import load
from fastbackend_ir.contract import without_routes
from tests.adapters.fastapi.conftest import BLOG, problem


def test_public_api() -> None:
    assert fastbackend_fastapi.__all__ == [
        "Auth", "ConfigError", "Cors", "Headers", "ModelAuth", "OverrideError", "Security",
        "Settings", "create_app", "override"]


def test_healthz_checks_the_database(blog: TestClient) -> None:
    response = blog.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(blog: TestClient) -> None:
    database = blog.app.state.runtime.database  # type: ignore[attr-defined]
    unreachable = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    saved = database.read_engine, database.async_engine
    database.read_engine, database.async_engine = unreachable, None
    try:
        response = blog.get("/healthz")
    finally:
        unreachable.dispose()
        database.read_engine, database.async_engine = saved
    assert response.status_code == 503 and problem(response)["status"] == 503
    assert response.headers["Retry-After"] == "1"  # as the contract says of every 503


def test_default_database_is_a_sqlite_file_beside_the_ir(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    ir_path = tmp_path / ".fastbackend" / "ir.json"
    ir_path.parent.mkdir()
    ir_path.write_bytes(BLOG.read_bytes())
    with TestClient(create_app(ir_path, custom_path=None)) as client:
        assert client.post("/tags", json={"name": "t"}).status_code == 201
    assert (tmp_path / ".fastbackend" / "app.db").is_file()
    wal = sa.create_engine(f"sqlite:///{tmp_path / '.fastbackend' / 'app.db'}")
    with wal.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    wal.dispose()


def test_create_app_accepts_an_ir_object(tmp_path: Path) -> None:
    app = create_app(load(BLOG), database_url=f"sqlite:///{tmp_path / 'x.db'}", custom_path=None)
    with TestClient(app) as client:
        assert client.get("/users").json()["data"] == []


def test_custom_routers_are_discovered_and_win(tmp_path: Path) -> None:
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "hello.py").write_text(
        "from fastapi import APIRouter\n"
        "router = APIRouter()\n"
        "@router.get('/hello')\n"
        "def hello() -> dict[str, str]:\n"
        "    return {'hello': 'world'}\n"
        "@router.get('/tags')\n"
        "def tags() -> dict[str, str]:\n"
        "    return {'custom': 'yes'}\n")
    app = create_app(BLOG, database_url=f"sqlite:///{tmp_path / 'x.db'}", custom_path=custom)
    with TestClient(app) as client:
        assert client.get("/hello").json() == {"hello": "world"}
        assert client.get("/tags").json() == {"custom": "yes"}
        assert client.get("/users").status_code == 200


def test_settings_from_the_environment() -> None:
    settings = from_environment({"DATABASE_URL": "postgres://u@h/db", "FASTBACKEND_POOL_SIZE": "7",
                                 "FASTBACKEND_MAX_LIMIT": "500", "FASTBACKEND_EXECUTION": "thread"})
    assert settings.pool_size == 7 and settings.max_limit == 500
    assert settings.execution == "thread"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(ValueError, match="FASTBACKEND_POOL_SIZE"):
        from_environment({"FASTBACKEND_POOL_SIZE": "many"})


def test_max_limit_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTBACKEND_MAX_LIMIT", "5")
    app = create_app(BLOG, database_url=f"sqlite:///{tmp_path / 'x.db'}", custom_path=None)
    with TestClient(app) as client:
        assert client.get("/users", params={"limit": 5}).status_code == 200
        assert client.get("/users", params={"limit": 6}).status_code == 400


def test_target_renders_an_asgi_entry_point_and_is_registered() -> None:
    outputs = TARGET.render(load(BLOG))
    assert list(outputs) == ["asgi.py"]
    compile(outputs["asgi.py"], "asgi.py", "exec")
    assert "create_app(Path(__file__).with_name(\"ir.json\"))" in outputs["asgi.py"]
    entry = [e for e in importlib.metadata.entry_points(group="fastbackend.targets")
             if e.name == "fastapi"]
    assert len(entry) == 1 and entry[0].load() is TARGET


def test_the_runtime_never_imports_the_compiler() -> None:
    """Each module alone, in a fresh interpreter: no compiler, libcst or lark gets imported."""
    package = Path(fastbackend_fastapi.__file__).parent
    modules = sorted("fastbackend_fastapi." + ".".join(p.relative_to(package).with_suffix("").parts)
                     for p in package.rglob("*.py") if p.name != "__init__.py")
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('fastbackend', 'libcst', 'lark', 'fastbackend_grammars'))\n"
        "print(bad)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.strip() == "[]"
    assert len(modules) > 10


def test_only_the_operations_the_ir_exposes_are_routed(tmp_path: Path) -> None:
    ir = load(BLOG)
    tag = ir.entities["Tag"]
    limited = replace(tag, api=replace(tag.api, operations=("list", "read")))
    # the operations decide the routes: decided again from the changed ones (an IR's records)
    ir = without_routes(replace(ir, entities={**ir.entities, "Tag": limited}))
    app = create_app(ir, database_url=f"sqlite:///{tmp_path / 'x.db'}", custom_path=None)
    with TestClient(app) as client:
        assert client.get("/tags").status_code == 200
        assert client.post("/tags", json={"name": "t"}).status_code == 405
        assert client.delete("/tags/1").status_code == 405
        assert client.post("/posts/1/tags", json={"name": "t"}).status_code == 405


def test_an_exhausted_pool_is_503_not_500(tmp_path: Path) -> None:
    settings = Settings(pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = create_app(BLOG, database_url=f"sqlite:///{tmp_path / 'x.db'}", custom_path=None,
                     settings=settings)
    with TestClient(app) as client:
        engine = app.state.runtime.database.engine
        with engine.connect():  # the only connection, held elsewhere
            response = client.get("/users/1")
        assert response.status_code == 503
        assert response.headers["retry-after"]
        assert client.get("/users/1").status_code == 404  # and it recovers


def test_openapi_documents_bodies_and_responses(blog: TestClient) -> None:
    document = blog.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    create = document["paths"]["/users"]["post"]
    # one object, which may nest its related rows (docs/rest-api.md "Nested writes"); many go
    # to /users/bulk as flat rows (UserCreate)
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UserCreateNested"}
    assert "posts" in schemas["UserCreateNested"]["properties"]
    assert schemas["UserCreate"]["properties"]["email"]["maxLength"] == 255
    assert schemas["UserCreate"]["required"] == ["email"]
    assert "id" not in schemas["UserCreate"]["properties"]  # read-only
    assert "id" in schemas["UserRead"]["properties"]
    child = document["paths"]["/users/{key}/posts"]["post"]["requestBody"]
    child_ref = child["content"]["application/json"]["schema"]["$ref"]
    assert "author_id" not in schemas[child_ref.rsplit("/", 1)[-1]]["properties"]
    assert "author_id" in schemas["PostCreate"]["properties"]
    read = document["paths"]["/users/{key}"]["get"]
    key = read["parameters"][0]["$ref"].rsplit("/", 1)[-1]  # shared by every route of /users/{key}
    assert document["components"]["parameters"][key]["name"] == "key"
    row = read["responses"]["200"]["$ref"].rsplit("/", 1)[-1]  # one response for every row route
    assert document["components"]["responses"][row]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UserRead"}


def test_tables_in_a_named_schema(database_url: str) -> None:
    ir = load(BLOG)
    tag = replace(ir.entities["Tag"], schema="catalog")
    ir = replace(ir, entities={**ir.entities, "Tag": tag})
    app = create_app(ir, database_url=database_url, custom_path=None)
    with TestClient(app) as client:
        created = client.post("/tags", json={"name": "schema"})
        assert created.status_code == 201
        assert client.get(created.headers["location"]).json() == created.json()
        assert client.post("/tags", json={"name": "schema"}).status_code == 409
        user = client.post("/users", json={"email": "s@x.io"}).json()
        post = client.post("/posts", json={"title": "t", "body": "b", "author_id": user["id"]}).json()
        assert client.put(f"/posts/{post['id']}/tags/{created.json()['id']}").status_code == 204
        assert client.get(f"/posts/{post['id']}/tags").json()["data"] == [created.json()]
