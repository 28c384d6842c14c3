"""examples/blog-prisma/schema.prisma compiles to the golden blog IR (tests/golden/blog.ir.json).

The golden IR was written for models.py. The two languages differ in a few ways that no schema can
remove; each is applied to the golden IR below as one explicit, minimal edit, and everything else
must be byte-for-byte the same:

1. the source: language `prisma`, file `schema.prisma` (on the IR and on every entity and enum);
2. the implicit many-to-many table: Prisma names it `_PostToTag` with columns `A` (-> Post.id) and
   `B` (-> Tag.id), and always indexes `B`; models.py declares `post_tags(post_id, tag_id)`;
3. Prisma requires a relation name on a self-relation, so Comment.parent/replies carry
   relationName `CommentReplies`;
4. a Prisma datasource states its provider, so the IR records `database.provider`;
5. constraint names follow each source's rule (IR 1.1): models.py's naming convention names its
   uniques `uq_<table>_<columns>`, Prisma names them `<table>_<columns>_key`; the implicit table's
   are Prisma's (`_PostToTag_AB_pkey`, `_PostToTag_A_fkey`, `_PostToTag_B_index`). Keys and
   foreign keys are named alike: SQLAlchemy leaves them to PostgreSQL, whose rule Prisma follows.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from fastbackend.pipeline import compile_path
from fastbackend_ir import loads, to_dict

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "blog-prisma"


def _as_prisma(golden: dict[str, Any]) -> dict[str, Any]:
    expected = copy.deepcopy(golden)
    # 1. source
    expected["source"] = {"language": "prisma", "files": ["schema.prisma"]}
    for element in [*expected["entities"].values(), *expected["enums"].values()]:
        element["source"] = "schema.prisma"
    # 2. implicit many-to-many table
    table = expected["joinTables"].pop("post_tags")
    renamed = {"post_id": "A", "tag_id": "B"}
    for column in table["columns"]:
        column["name"] = renamed[column["name"]]
        column["foreignKeyName"] = f"_PostToTag_{column['name']}_fkey"
    table.update(table="_PostToTag", source="schema.prisma", primaryKey=["A", "B"],
                 indexes=[["B"]], primaryKeyName="_PostToTag_AB_pkey",
                 indexNames=["_PostToTag_B_index"])
    expected["joinTables"]["_PostToTag"] = table
    for entity, relation in (("Post", "tags"), ("Tag", "posts")):
        rel = next(r for r in expected["entities"][entity]["relations"] if r["name"] == relation)
        rel["joinTable"] = "_PostToTag"
        rel["joinColumns"] = [renamed[c] for c in rel["joinColumns"]]
        rel["inverseJoinColumns"] = [renamed[c] for c in rel["inverseJoinColumns"]]
    # 3. named self-relation
    for rel in expected["entities"]["Comment"]["relations"]:
        if rel["name"] in ("parent", "replies"):
            rel["relationName"] = "CommentReplies"
    # 4. provider
    expected["database"] = {"provider": "postgresql"}
    # 5. unique constraint names (the models' naming convention, Prisma's default)
    for entity in expected["entities"].values():
        for field in entity["fields"]:
            if field.get("unique"):
                field["uniqueName"] = f"{entity['table']}_{field['column']}_key"
    return expected


def test_blog_prisma_compiles_to_the_golden_ir(golden_blog_ir_path: Path) -> None:
    golden = to_dict(loads(golden_blog_ir_path.read_text("utf-8")))
    _sources, result = compile_path(EXAMPLE)
    assert to_dict(result.ir) == _as_prisma(golden)


def test_the_transformation_is_not_the_identity(golden_blog_ir_path: Path) -> None:
    golden = to_dict(loads(golden_blog_ir_path.read_text("utf-8")))
    _sources, result = compile_path(EXAMPLE)
    assert to_dict(result.ir) != golden


def test_every_entity_and_field_has_a_source_location() -> None:
    _sources, result = compile_path(EXAMPLE)
    for name, entity in result.ir.entities.items():
        assert f"/entities/{name}" in result.source_map
        for index in range(len(entity.fields)):
            location = result.source_map[f"/entities/{name}/fields/{index}"]
            assert location.file == "schema.prisma" and location.line > 1 and location.column == 3
    assert result.source_map["/enums/PostStatus/values/0"].line == 15
