"""fastbackend.yaml's `models.<Model>.soft_delete`: what the compiler records in the IR (1.5),
what it refuses (FB406/FB409/FB402 at the line of the mistake), and what the OpenAPI documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastbackend.config import ConfigError
from fastbackend_ir import load
from fastbackend_openapi.document import emit
from tests.softdelete.conftest import MODELS, compile_project

EXTRA = '''

class Row(Base):
    __tablename__ = "rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    removed: Mapped[datetime]
    removed_on: Mapped[str | None] = mapped_column(String(20))
'''


def test_the_ir_records_the_stamp_and_the_restore_route(soft_ir: Path) -> None:
    ir = load(soft_ir)
    post = ir.entities["Post"]
    assert ir.ir_version == "1.9" and post.soft_delete == "deleted_at"
    assert post.field("deleted_at").api.read_only  # only DELETE and restore write it
    restore = [route for route in post.routes or () if route.action == "restore"]
    assert [(r.method, r.path, r.status, r.operation_id) for r in restore] == [
        ("POST", "/posts/{key}/restore", 200, "restorePost")]


def test_no_restore_route_without_soft_delete(tmp_path: Path) -> None:
    ir = load(compile_project(tmp_path, "models:\n  Post: {search: [title]}\n"))
    assert ir.entities["Post"].soft_delete is None
    assert not [r for r in ir.entities["Post"].routes or () if r.action == "restore"]


@pytest.mark.parametrize(("config", "code", "line", "words"), [
    ("models:\n  Post:\n    soft_delete: gone\n", "FB406", 3, "'gone' is not a field of Post"),
    ("models:\n  Row:\n    soft_delete: removed\n", "FB409", 3, "must be a nullable timestamp"),
    ("models:\n  Row:\n    soft_delete: removed_on\n", "FB409", 3, "nullable string"),
    ("models:\n  Post:\n    fields: {deleted_at: hidden}\n    soft_delete: deleted_at\n",
     "FB409", 4, "hidden or write-only"),
    ("models:\n  Post:\n    soft_delete: [deleted_at]\n", "FB402", 3, "must be a field's name"),
    ('models:\n  "*":\n    soft_delete: deleted_at\n', "FB402", 3, "cannot be given there"),
])
def test_refusals(tmp_path: Path, config: str, code: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as raised:
        compile_project(tmp_path, config, MODELS + EXTRA)
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.line) == (code, line), diagnostic
    assert words in diagnostic.message
    assert diagnostic.file.endswith("fastbackend.yaml") and diagnostic.column >= 1


def test_openapi_documents_restore_and_its_minimal_answer(soft_ir: Path) -> None:
    document = emit(load(soft_ir))
    restore = document["paths"]["/posts/{key}/restore"]["post"]
    assert restore["operationId"] == "restorePost"
    assert restore["responses"]["200"] == {"$ref": "#/components/responses/PostRow"}
    assert "ETag" in restore["responses"]["204"]["headers"]
    assert {"$ref": "#/components/parameters/Prefer"} in restore["parameters"]
    assert "/authors/{key}/restore" in document["paths"]
    listed = [p["$ref"] for p in document["paths"]["/posts"]["get"]["parameters"]]
    assert "#/components/parameters/Posts.deleted" in listed
    assert document["components"]["parameters"]["Posts.deleted"]["schema"]["enum"] == [
        "only", "include"]
    assert "Soft delete" in document["paths"]["/posts/{key}"]["delete"]["description"]
