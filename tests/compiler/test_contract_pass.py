"""The contract pass (IR 1.2, bulk routes 1.3): routes, field roles and linking fields decided once, by the
compiler, and completed by the same rules for an IR older than 1.2."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from fastbackend.passes.contract import VOCABULARY
from fastbackend.pipeline import compile_path
from fastbackend_express import render_project
from fastbackend_express.zod import writable_on_create
from fastbackend_fastapi.schemas import build
from fastbackend_ir import IRValidationError, load, loads, to_dict, validate
from fastbackend_ir.contract import completed, decide_routes, field_roles
from fastbackend_openapi import emit
from tests.conftest import GOLDEN

Document = dict[str, Any]


def _golden() -> Document:
    document: Document = json.loads((GOLDEN / "blog.ir.json").read_text("utf-8"))
    return document


def _as_1_1(document: Document) -> Document:
    """The document as IR 1.1 wrote it: no routes, roles or linking fields."""
    older = json.loads(json.dumps(document))
    older["irVersion"] = "1.1"
    for entity in older["entities"].values():
        entity.pop("routes", None)
        for field in entity["fields"]:
            field.pop("roles", None)
        for relation in entity.get("relations", []):
            relation.pop("localFields", None)
            relation.pop("remoteFields", None)
    return older


def test_the_compiled_blog_records_its_contract() -> None:
    ir = load(GOLDEN / "blog.ir.json")
    assert ir.ir_version == "1.9"
    post = ir.entities["Post"]
    assert [(r.action, r.method, r.path, r.status) for r in post.routes or ()][:11] == [
        ("list", "GET", "/posts", 200), ("create", "POST", "/posts", 201),
        ("query", "POST", "/posts/query", 200), ("aggregate", "GET", "/posts/aggregate", 200),
        ("bulkCreate", "POST", "/posts/bulk", 201),
        ("bulkUpdate", "PATCH", "/posts", 200), ("bulkDelete", "DELETE", "/posts", 200),
        ("read", "GET", "/posts/{key}", 200), ("update", "PATCH", "/posts/{key}", 200),
        ("replace", "PUT", "/posts/{key}", 200), ("delete", "DELETE", "/posts/{key}", 204)]
    link = next(r for r in post.routes or () if r.action == "link")
    assert (link.operation_id, link.path, link.relation) == (
        "linkPostTags", "/posts/{key}/tags/{target_key}", "tags")
    assert "precondition-failed" in next(r for r in post.routes or ()
                                         if r.action == "delete").problems
    bulk = {r.action: r for r in post.routes or () if r.action.startswith("bulk")}
    assert (bulk["bulkUpdate"].operation_id, bulk["bulkDelete"].operation_id) == (
        "updatePosts", "deletePosts")
    assert {"filter-required", "too-many-rows"} <= set(bulk["bulkDelete"].problems)
    author = post.relation("author")
    assert (author.local_fields, author.remote_fields) == (("author_id",), ("id",))
    comments = post.relation("comments")
    assert (comments.local_fields, comments.remote_fields) == (("id",), ("post_id",))
    created = post.field("created_at").roles
    assert created is not None and created.readable and not created.writable_on_create


def test_bulk_routes_follow_the_single_row_operations() -> None:
    """PATCH /posts needs `update` exposed, DELETE /posts `delete` (fastbackend.yaml's
    operations): a bulk write is never open where the single-row one is not."""
    ir = load(GOLDEN / "blog.ir.json")
    post = ir.entities["Post"]
    narrowed = replace(post, api=replace(post.api, operations=("list", "read", "delete")))
    routes = decide_routes(replace(ir, entities={**ir.entities, "Post": narrowed}), VOCABULARY)
    actions = {route.action for route in routes["Post"]}
    assert "bulkDelete" in actions and "bulkUpdate" not in actions and "update" not in actions


def test_an_ir_1_1_is_completed_exactly_as_the_compiler_records_it() -> None:
    golden = _golden()
    older = loads(json.dumps(_as_1_1(golden)))
    assert all(entity.routes is None for entity in older.entities.values())
    recorded = to_dict(completed(older, VOCABULARY))
    recorded["irVersion"] = golden["irVersion"]
    assert recorded == golden


def test_completion_keeps_what_the_ir_records() -> None:
    ir = load(GOLDEN / "blog.ir.json")
    assert completed(ir, VOCABULARY) is ir


def test_an_updated_at_field_is_never_writable_nor_required_on_any_adapter() -> None:
    """The decision (docs/ir.md): the server sets an updatedAt field on every create and
    update, so no body gives it, even in an IR that does not also mark it read-only (the
    Express emitter used to require it on create there, the runtime to refuse it)."""
    document = _as_1_1(_golden())
    post = document["entities"]["Post"]
    (updated,) = [f for f in post["fields"] if f["name"] == "updated_at"]
    updated.pop("api", None)  # updatedAt, not read-only: what a hand-written IR may say
    ir = completed(loads(json.dumps(document)), VOCABULARY)
    field = ir.entities["Post"].field("updated_at")
    roles = field_roles(field, VOCABULARY)
    assert roles.readable and not roles.writable_on_create and not roles.required_on_create
    assert field.roles == roles

    assert "updated_at" not in emit(ir)["components"]["schemas"]["PostCreate"]["properties"]
    assert "updated_at" not in build(ir, ir.entities["Post"]).create_shape.__annotations__
    assert "updated_at" in build(ir, ir.entities["Post"]).read_only_fields
    schema = render_project(ir)["src/schemas/post.ts"]
    create = schema.split("export const PostCreate", 1)[1].split("});", 1)[0]
    assert "updated_at:" not in create and not writable_on_create(field)
    assert '"updated_at"' in schema.split("POST_READ_ONLY", 1)[1].split("\n", 1)[0]


def test_operation_ids_are_unique_across_the_api(tmp_path: Path) -> None:
    models = tmp_path / "models.py"
    models.write_text('''
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Cart(Base):
    __tablename__ = "carts"
    id: Mapped[int] = mapped_column(primary_key=True)
    lines: Mapped[list["CartLine"]] = relationship(back_populates="cart")


class CartLine(Base):
    __tablename__ = "cart_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"))
    cart: Mapped[Cart] = relationship(back_populates="lines")
''', "utf-8")
    _, result = compile_path(models)
    ids = [r.operation_id for e in result.ir.entities.values() for r in e.routes or ()]
    assert len(ids) == len(set(ids))
    assert "listCartLines" in ids and "listCartLinesRelation" in ids
    cart_routes = result.ir.entities["Cart"].routes or ()
    assert next(r for r in cart_routes if r.action == "listRelated").operation_id == (
        "listCartLinesRelation")


def _problems(document: Document) -> list[str]:
    with pytest.raises(IRValidationError) as raised:
        validate(document)
    return [problem.pointer for problem in raised.value.problems]


def test_a_route_under_an_unknown_relation_is_refused() -> None:
    document = _golden()
    routes = document["entities"]["Post"]["routes"]
    index = next(i for i, r in enumerate(routes) if r.get("relation") == "tags")
    routes[index]["relation"] = "labels"
    assert _problems(document) == [f"/entities/Post/routes/{index}/relation"]


def test_two_routes_with_one_method_and_path_are_refused() -> None:
    document = _golden()
    routes = document["entities"]["Post"]["routes"]
    routes.append(dict(routes[0], operationId="listPostsAgain"))
    assert _problems(document) == [f"/entities/Post/routes/{len(routes) - 1}"]


def test_linking_fields_name_fields_of_each_end() -> None:
    document = _golden()
    (author,) = [r for r in document["entities"]["Post"]["relations"] if r["name"] == "author"]
    author["remoteFields"] = ["nope"]
    assert _problems(document) == ["/entities/Post/relations/0/remoteFields/0"]


def test_nested_operations_are_decided_from_the_recorded_contract() -> None:
    """Which relation a create may nest, and how (docs/rest-api.md "Nested writes"): read from
    the routes and roles the IR records, so an entity that is not created or read through the
    API is not created or connected through another's body either."""
    from fastbackend_ir.contract import nested_operations

    ir = completed(load(GOLDEN / "blog.ir.json"), VOCABULARY)
    everything = ("create", "connect", "connectOrCreate")

    def operations(ir: Any, entity: str, relation: str) -> tuple[str, ...]:
        owner = ir.entity(entity)
        return nested_operations(ir, owner, owner.relation(relation))

    assert operations(ir, "Post", "author") == everything  # to-one: this row holds the key
    assert operations(ir, "Post", "comments") == everything  # one-to-many
    assert operations(ir, "Post", "tags") == everything  # many-to-many
    assert operations(ir, "Comment", "parent") == ()  # a self-relation
    assert operations(ir, "Comment", "replies") == ()
    tags = ir.entity("Tag")
    read_only = replace(ir, entities={**ir.entities, "Tag": replace(
        tags, api=replace(tags.api, operations=("list", "read")))})
    assert operations(read_only, "Post", "tags") == ("connect",)
    comments = ir.entity("Comment")
    no_update = replace(ir, entities={**ir.entities, "Comment": replace(
        comments, api=replace(comments.api, operations=("list", "read", "create")))})
    assert operations(no_update, "Post", "comments") == ("create",)  # a connect moves the row


def test_nested_update_operations_add_set_and_disconnect_where_no_row_is_orphaned() -> None:
    """An update may also `set` and `disconnect` (docs/rest-api.md "Nested writes"), except
    where the rows taken out would be left without a required key: a one-to-many whose
    children's key may not be null, and a to-one this row must hold (Prisma refuses both)."""
    from fastbackend_ir.contract import nested_update_operations, orphaned_by_unlink

    ir = completed(load(GOLDEN / "blog.ir.json"), VOCABULARY)
    everything = ("set", "disconnect", "create", "connect", "connectOrCreate")

    def operations(ir: Any, entity: str, relation: str) -> tuple[str, ...]:
        owner = ir.entity(entity)
        return nested_update_operations(ir, owner, owner.relation(relation))

    assert operations(ir, "Post", "tags") == everything  # many-to-many
    assert operations(ir, "User", "comments") == everything  # Comment.author_id may be null
    assert operations(ir, "Post", "comments") == ("create", "connect", "connectOrCreate")
    assert orphaned_by_unlink(ir, ir.entity("Post"), ir.entity("Post").relation("comments")) \
        == ("Comment.post_id",)
    assert operations(ir, "Comment", "author") == ("disconnect", "create", "connect",
                                                   "connectOrCreate")  # to-one, nullable
    assert operations(ir, "Post", "author") == ("create", "connect", "connectOrCreate")
    assert operations(ir, "Comment", "replies") == ()  # a self-relation
    tags = ir.entity("Tag")
    read_only = replace(ir, entities={**ir.entities, "Tag": replace(
        tags, api=replace(tags.api, operations=("list", "read")))})
    assert operations(read_only, "Post", "tags") == ("set", "disconnect", "connect")
    comments = ir.entity("Comment")
    no_update = replace(ir, entities={**ir.entities, "Comment": replace(
        comments, api=replace(comments.api, operations=("list", "read", "create")))})
    assert operations(no_update, "User", "comments") == ("create",)  # unlinking updates rows
