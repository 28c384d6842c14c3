"""examples/blog/models.py compiles to exactly the golden IR, with a source map for every element."""

from __future__ import annotations

from pathlib import Path

from fastbackend.pipeline import compile_path
from fastbackend_ir import dumps

ROOT = Path(__file__).resolve().parents[3]
BLOG = ROOT / "examples" / "blog" / "models.py"


def test_blog_models_compile_to_the_golden_ir(golden_blog_ir_path: Path) -> None:
    _, result = compile_path(BLOG)
    assert dumps(result.ir) == golden_blog_ir_path.read_text("utf-8")
    assert result.warnings == []


def test_every_entity_field_relation_and_enum_has_a_location() -> None:
    _, result = compile_path(BLOG)
    expected = {"/enums/PostStatus", "/joinTables/post_tags"}
    for name, entity in result.ir.entities.items():
        expected.add(f"/entities/{name}")
        expected |= {f"/entities/{name}/fields/{i}" for i in range(len(entity.fields))}
        expected |= {f"/entities/{name}/relations/{i}" for i in range(len(entity.relations))}
    assert set(result.source_map) == expected


def test_locations_point_at_the_declarations() -> None:
    _, result = compile_path(BLOG)
    lines = BLOG.read_text("utf-8").splitlines()
    for pointer, location in result.source_map.items():
        text = lines[location.line - 1][location.column - 1:]
        name = pointer.rsplit("/", 1)[-1]
        if pointer.count("/") == 2:
            assert text.startswith(name) or "Table(" in lines[location.line - 1], pointer
    email = result.source_map["/entities/User/fields/1"]
    assert (email.file, lines[email.line - 1][email.column - 1:].split(":")[0]) == (
        "models.py", "email")


def test_a_comment_added_at_the_top_changes_no_byte_of_the_ir(tmp_path: Path) -> None:
    moved = tmp_path / "models.py"
    moved.write_text("# a new comment\n\n" + BLOG.read_text("utf-8"), "utf-8")
    _, before = compile_path(BLOG)
    _, after = compile_path(moved)
    assert dumps(after.ir) == dumps(before.ir)
    assert after.source_map["/entities/User"].line == before.source_map["/entities/User"].line + 2
