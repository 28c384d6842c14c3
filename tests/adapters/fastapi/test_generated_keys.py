"""Generated values have the field's declared type: a uuid() default on a string key was a
500 on SQLite (`type 'UUID' is not supported`), the database a new project starts on."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from fastbackend.pipeline import compile_path
from fastbackend_ir import dumps, load
from tests.adapters.fastapi.conftest import MakeClient

# Served by the Express suite too (tests/adapters/express/irs/ holds the IRs both servers run).
SOURCE = Path(__file__).resolve().parents[1] / "express" / "irs" / "generated_keys.prisma"
GENERATED_KEYS = SOURCE.with_name("generated_keys.ir.json")

UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
UUID7 = r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
FORMATS = {  # the formats Prisma's generators write, field by field
    "id": UUID4, "uuid7": UUID7, "cuid": r"c[0-9a-z]{24}", "cuid2": r"[a-z][0-9a-z]{23}",
    "nanoid": r"[A-Za-z0-9_-]{21}", "short": r"[A-Za-z0-9_-]{10}",
    "ulid": r"[0-7][0-9A-HJKMNP-TV-Z]{25}", "native": UUID4,
}
SQLALCHEMY_MODELS = '''
import uuid

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=uuid.uuid4)
    title: Mapped[str]
'''


def test_the_ir_is_compiled_from_its_prisma_schema() -> None:
    _, result = compile_path(SOURCE)
    assert dumps(result.ir) == GENERATED_KEYS.read_text("utf-8")


def test_every_generator_fills_a_string_field_with_text(make_client: MakeClient) -> None:
    client = make_client(GENERATED_KEYS)
    created = client.post("/tasks", json={"title": "first"})
    assert created.status_code == 201, created.text
    task = created.json()
    for name, pattern in FORMATS.items():
        assert re.fullmatch(pattern, task[name]), (name, task[name])
    assert client.get(created.headers["location"]).json() == task
    assert client.get("/tasks", params={"id": task["id"]}).json()["data"] == [task]
    second = client.post("/tasks", json={"title": "second"}).json()
    assert all(second[name] != task[name] for name in FORMATS)


def test_a_child_gets_a_generated_key_and_its_parent_s(make_client: MakeClient) -> None:
    client = make_client(GENERATED_KEYS)
    task = client.post("/tasks", json={"title": "parent"}).json()
    note = client.post(f"/tasks/{task['id']}/notes", json={"body": "child"})
    assert note.status_code == 201, note.text
    assert re.fullmatch(FORMATS["cuid"], note.json()["id"]) and note.json()["task_id"] == task["id"]
    assert client.delete(f"/tasks/{task['id']}").status_code == 204  # the cascade runs
    assert client.get(note.headers["location"]).status_code == 404


def test_sqlalchemy_string_key_with_uuid4_default(make_client: MakeClient, tmp_path: Path) -> None:
    """The issue's SQLAlchemy spelling: `mapped_column(String(36), primary_key=True,
    default=uuid.uuid4)` (FastAPI only: the Express suite serves IRs it builds once)."""
    models = tmp_path / "models.py"
    models.write_text(SQLALCHEMY_MODELS, "utf-8")
    _, result = compile_path(models)
    ir_path = tmp_path / ".fastbackend" / "ir.json"
    ir_path.parent.mkdir()
    ir_path.write_text(dumps(result.ir), "utf-8")
    key = load(ir_path).entity("Task").field("id")
    assert (key.type, key.default and key.default.kind) == ("string", "generator")
    client: TestClient = make_client(ir_path)
    created = client.post("/tasks", json={"title": "t"})
    assert created.status_code == 201, created.text
    assert re.fullmatch(UUID4, created.json()["id"])
