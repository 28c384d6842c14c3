"""The canonical form: dump(load(x)) == x byte for byte, and the same IR always gives the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import fastbackend_ir
from fastbackend_ir import IR, dumps, load, loads


def test_golden_blog_ir_round_trips_byte_for_byte(golden_blog_ir_path: Path) -> None:
    original = golden_blog_ir_path.read_bytes()
    assert dumps(load(golden_blog_ir_path)).encode("utf-8") == original


def test_every_golden_ir_round_trips(golden_blog_ir_path: Path) -> None:
    for path in sorted(golden_blog_ir_path.parent.glob("*.ir.json")):
        assert dumps(load(path)).encode("utf-8") == path.read_bytes(), path.name


def test_canonical_text_is_sorted_two_space_lf_with_trailing_newline(
    golden_blog_ir_path: Path,
) -> None:
    text = golden_blog_ir_path.read_text("utf-8")
    assert text.endswith("}\n") and "\r" not in text
    assert text.startswith('{\n  "entities"')
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_key_order_in_the_input_does_not_change_the_output(golden_blog_ir_path: Path) -> None:
    document = json.loads(golden_blog_ir_path.read_text("utf-8"))
    shuffled = json.dumps(dict(reversed(list(document.items()))), indent=4)
    assert dumps(loads(shuffled)) == golden_blog_ir_path.read_text("utf-8")


def test_declared_order_of_fields_is_kept(golden_blog_ir_path: Path) -> None:
    post = load(golden_blog_ir_path).entity("Post")
    assert [f.name for f in post.fields][:4] == ["id", "title", "body", "status"]


def test_explicit_default_values_load_to_the_same_ir_and_dump_canonically(
    golden_blog_ir_path: Path,
) -> None:
    document = json.loads(golden_blog_ir_path.read_text("utf-8"))
    tag_name = document["entities"]["Tag"]["fields"][1]
    tag_name.update({"nullable": False, "list": False, "api": {"hidden": False}})
    assert dumps(loads(json.dumps(document))) == golden_blog_ir_path.read_text("utf-8")


def test_typed_nodes_expose_the_document(golden_blog_ir_path: Path) -> None:
    ir: IR = load(golden_blog_ir_path)
    post = ir.entity("Post")
    status = post.field("status")
    assert status.type == "enum" and status.enum == "PostStatus"
    assert isinstance(status.default, fastbackend_ir.LiteralDefault)
    assert status.default.value == "draft" and status.default.server
    created = post.field("created_at")
    assert isinstance(created.default, fastbackend_ir.GeneratorDefault)
    assert created.default.name == "now" and created.api.read_only
    tags = post.relation("tags")
    assert tags.to_many and tags.join_table == "post_tags"
    assert ir.join_tables["post_tags"].primary_key == ("post_id", "tag_id")
    assert [v.stored for v in ir.enums["PostStatus"].values] == ["draft", "published", "archived"]
    assert post.name == "Post" and ir.enums["PostStatus"].name == "PostStatus"
