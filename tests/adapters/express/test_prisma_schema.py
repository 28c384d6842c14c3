"""prisma/schema.prisma from the IR: names, native types, relations and join tables."""

from __future__ import annotations

import re

from fastbackend_express.prisma_schema import render_schema
from tests.adapters.express.harness import load_ir


def _block(schema: str, keyword: str, name: str) -> str:
    match = re.search(rf"^{keyword} {name} {{\n(.*?)^}}", schema, re.S | re.M)
    assert match is not None, f"no {keyword} {name}"
    return match.group(1)


def _line(block: str, field: str) -> str:
    (line,) = [row.strip() for row in block.splitlines() if row.split()[:1] == [field]]
    return " ".join(line.split())


def test_prisma_7_generator_and_datasource_without_url() -> None:
    schema = render_schema(load_ir("blog"))
    assert 'provider            = "prisma-client"' in schema
    assert 'moduleFormat        = "esm"' in schema
    datasource = _block(schema, "datasource", "db")
    assert "postgresql" in datasource and "url" not in datasource  # Prisma 7 refuses url here


def test_tables_columns_and_native_types_come_from_the_ir() -> None:
    post = _block(render_schema(load_ir("blog")), "model", "Post")
    assert '@@map("posts")' in post
    assert _line(post, "title") == "title String @db.VarChar(200)"
    assert _line(post, "status") == "status PostStatus @default(draft)"
    assert _line(post, "updated_at") == "updated_at DateTime @default(now()) @updatedAt @db.Timestamptz"
    assert '@@unique([author_id, title], map: "uq_posts_author_id_title")' in post
    assert '@@index([status], map: "ix_posts_status")' in post


def test_a_foreign_key_names_its_fields_references_and_actions() -> None:
    store = _block(render_schema(load_ir("kitchen")), "model", "Store")
    assert _line(store, "region") == (
        "region Region @relation(fields: [region_country, region_code], "
        "references: [country, code], onDelete: Restrict)")


def test_a_self_relation_is_named_on_both_ends() -> None:
    employee = _block(render_schema(load_ir("kitchen")), "model", "Employee")
    assert '@relation("Employee_manager_id", fields: [manager_id]' in _line(employee, "manager")
    assert _line(employee, "reports") == 'reports Employee[] @relation("Employee_manager_id")'


def test_a_join_table_outside_prisma_convention_becomes_a_join_model() -> None:
    schema = render_schema(load_ir("blog"))
    join = _block(schema, "model", "PostTags")
    assert '@@map("post_tags")' in join and '@@id([post_id, tag_id], map: "post_tags_pkey")' in join
    assert 'map: "post_tags_tag_id_fkey"' in join  # the IR's names (docs/ir.md)
    assert _line(_block(schema, "model", "Post"), "tags") == 'tags PostTags[] @relation("PostTags_post_id")'


def test_a_join_table_in_prisma_convention_stays_implicit() -> None:
    schema = render_schema(load_ir("implicit"))
    assert "ArticleToLabel {" not in schema  # no join model
    assert _line(_block(schema, "model", "Article"), "labels") == "labels Label[]"  # Prisma's default name


def test_enum_values_and_type_keep_their_database_names() -> None:
    color = _block(render_schema(load_ir("kitchen")), "enum", "Color")
    assert 'red @map("RED")' in " ".join(color.split())
    assert '@@map("color")' in color


def test_types_prisma_client_cannot_read_stay_in_the_schema_as_unsupported() -> None:
    sample = _block(render_schema(load_ir("kitchen")), "model", "Sample")
    assert _line(sample, "duration") == 'duration Unsupported("interval")?'
    assert _line(sample, "id") == "id String @id @default(uuid(7)) @db.Uuid"


def test_once_a_schema_is_named_every_model_says_its_schema() -> None:
    schema = render_schema(load_ir("implicit"))
    assert 'schemas  = ["audit", "public"]' in _block(schema, "datasource", "db")
    assert '@@schema("audit")' in _block(schema, "model", "AuditEntry")
    assert '@@schema("public")' in _block(schema, "model", "Article")
    assert "@@schema" not in render_schema(load_ir("blog"))


def test_constraint_names_are_the_irs_and_a_view_names_none() -> None:
    """schema.prisma's `map:` arguments are the IR's names, which the compiler decided (the
    models' naming convention here: uq_users_email); Prisma refuses a name on a view's key."""
    schema = render_schema(load_ir("blog"))
    assert '@unique(map: "uq_users_email")' in _line(_block(schema, "model", "User"), "email")
    assert '@id(map: "users_pkey")' in _line(_block(schema, "model", "User"), "id")
    ir = load_ir("views")
    view = ir.entities["AuthorStat"]
    assert view.kind == "view" and view.field("author_id").unique_name  # named in the IR
    assert "map:" not in _block(render_schema(ir), "view", "AuthorStat")
