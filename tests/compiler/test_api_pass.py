"""The API pass: REST names and read-only roles, decided once for every adapter."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.passes.api import assign_api, field_api, placeholder_api
from fastbackend.passes.naming import kebab, plural, resource_path
from fastbackend_ir import FieldApi, GeneratorDefault, LiteralDefault, Location, dumps, load


@pytest.mark.parametrize(("name", "path"), [
    ("User", "/users"), ("BlogPost", "/blog-posts"), ("Category", "/categories"),
    ("Address", "/addresses"), ("Person", "/people"), ("HTTPLog", "/http-logs"),
    ("OrderItem", "/order-items"), ("Box", "/boxes"), ("news", "/news"),
    ("user_profile", "/user-profiles"), ("Day", "/days"), ("Users", "/users"),
    ("Status", "/statuses"), ("Bus", "/buses"), ("Café", "/cafes"), ("Señal", "/senals"),
    ("用户", "/u7528-u6237s"),
])
def test_resource_paths(name: str, path: str) -> None:
    assert resource_path(name) == path


def test_non_ascii_names_get_valid_paths_and_operation_names(golden_blog_ir_path: Path) -> None:
    golden = load(golden_blog_ir_path)
    cafe = replace(golden.entity("Tag"), name="Café", api=placeholder_api())
    decided = assign_api(replace(golden, entities={**golden.entities, "Café": cafe}))
    api = decided.entity("Café").api
    assert (api.path, api.singular, api.plural) == ("/cafes", "Cafe", "Cafes")
    dumps(decided)  # validates: the path and names fit the IR schema


def test_words_and_plurals() -> None:
    assert kebab("parentComment") == "parent-comment"
    assert plural("Status") == "Statuses"


def test_assign_api_reproduces_the_golden_decisions(golden_blog_ir_path: Path) -> None:
    golden = load(golden_blog_ir_path)
    blank = replace(golden, entities={
        name: replace(entity, api=placeholder_api(),
                      fields=tuple(replace(f, api=FieldApi()) for f in entity.fields),
                      relations=tuple(replace(r, path="x") for r in entity.relations))
        for name, entity in golden.entities.items()
    })
    assert assign_api(blank) == golden


def test_generated_values_are_read_only_and_literal_defaults_are_not(
    golden_blog_ir_path: Path,
) -> None:
    post = load(golden_blog_ir_path).entity("Post")
    status = replace(post.field("status"), api=FieldApi())
    assert not field_api(status).read_only
    uuid_key = replace(post.field("id"), autoincrement=False, type="uuid", api=FieldApi(),
                       default=GeneratorDefault("uuid4"))
    assert field_api(uuid_key).read_only
    plain_uuid = replace(uuid_key, primary_key=False)
    assert not field_api(plain_uuid).read_only
    hidden = replace(status, api=FieldApi(hidden=True), default=LiteralDefault("x"))
    assert field_api(hidden) == FieldApi(hidden=True)


def test_two_entities_on_one_path_is_fb007(golden_blog_ir_path: Path) -> None:
    golden = load(golden_blog_ir_path)
    users = golden.entity("User")
    twin = replace(users, name="Users", table="users2")
    doubled = replace(golden, entities={**golden.entities, "Users": twin})
    with pytest.raises(CompileError) as error:
        assign_api(doubled, source_map={"/entities/Users": Location("models.py", 40, 1)})
    (diagnostic,) = error.value.diagnostics
    assert (diagnostic.code, diagnostic.line) == ("FB007", 40)
    assert "/users" in diagnostic.message
    assert assign_api(doubled, path_overrides={"Users": "/user-twins"}).entity("Users").api.path \
        == "/user-twins"
