"""prisma/schema.prisma is the user's schema when the source was one Prisma file (generator and
datasource adjusted for Prisma 7), and is printed from the IR otherwise."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from fastbackend.cli.main import cli
from fastbackend.frontends.prisma import compile_texts
from fastbackend.pipeline import compile_path
from fastbackend_express import render_project
from fastbackend_express.prisma_schema import HEADER
from fastbackend_express.user_schema import user_schema
from tests.adapters.express.harness import IR_PATHS, SOURCES, load_ir, render

PRISMA6 = SOURCES["prisma6_shop"].read_text("utf-8")  # url settings, another generator, a view


def _generators(schema: str) -> list[str]:
    return re.findall(r"^generator (\w+) \{", schema, re.MULTILINE)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_test_irs_are_compiled_from_their_sources(name: str) -> None:
    _, result = compile_path(SOURCES[name])
    assert result.ir_text == IR_PATHS[name].read_text("utf-8")


def test_a_prisma_source_is_copied_with_the_projects_generator() -> None:
    schema = render("blog_prisma")["prisma/schema.prisma"]
    source = SOURCES["blog_prisma"].read_text("utf-8")
    assert schema.startswith(HEADER + "\n")
    assert _generators(schema) == ["client"]
    assert 'output              = "../src/generated/prisma"' in schema
    assert 'output   = "../generated/prisma"' not in schema  # the example's own output
    body = source[source.index("enum PostStatus"):]
    assert schema.endswith(body)  # models, enums and their comments as the user wrote them
    assert "// The blog domain of examples/blog/models.py" in schema


def test_prisma_6_settings_are_adjusted_for_prisma_7() -> None:
    schema = render("prisma6_shop")["prisma/schema.prisma"]  # typechecked in test_typescript.py
    assert _generators(schema) == ["client"]
    assert 'provider            = "prisma-client"' in schema and "prisma-client-js" not in schema
    assert 'previewFeatures     = ["views"]' in schema  # the user's, kept
    assert "Generator erd of prisma6_shop.prisma left out" in schema
    assert re.search(r"url|directUrl|shadowDatabaseUrl", schema.split("datasource db")[1]) is None
    assert "name  String @db.VarChar(80) // shown in the shop" in schema
    assert "/// Things we sell." in schema and "view ItemName {" in schema


@pytest.mark.parametrize("name", ["blog", "kitchen", "implicit"])
def test_without_a_single_prisma_file_the_schema_is_printed_from_the_ir(name: str) -> None:
    printed = render_project(load_ir(name))["prisma/schema.prisma"]
    assert render(name)["prisma/schema.prisma"] == printed
    assert "The source schema" not in printed


def test_a_schema_in_several_files_or_for_another_database_is_printed_from_the_ir() -> None:
    ir = load_ir("blog_prisma")
    assert user_schema(ir, {"other.prisma": "model X {}"}) is None  # not the file the IR names
    split = PRISMA6.index("/// Things we sell.")
    files = {"a.prisma": PRISMA6[:split], "b.prisma": PRISMA6[split:]}
    assert user_schema(compile_texts(files).ir, files) is None
    mysql = PRISMA6.replace('"postgresql"', '"mysql"')
    mysql_ir = compile_texts({"shop.prisma": mysql}).ir
    assert user_schema(mysql_ir, {"shop.prisma": mysql}) is None


def test_the_cli_copies_a_prisma_source_but_not_from_a_compiled_ir(tmp_path: Path) -> None:
    def schema_from(source: Path, out: Path) -> str:
        result = CliRunner().invoke(cli, ["compile", str(source), "--target", "express", "--out",
                                          str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return (out / "prisma" / "schema.prisma").read_text("utf-8")

    copied = schema_from(SOURCES["blog_prisma"], tmp_path / "from-prisma")
    assert copied == render("blog_prisma")["prisma/schema.prisma"]
    printed = schema_from(IR_PATHS["blog_prisma"], tmp_path / "from-ir")
    assert printed == render_project(load_ir("blog_prisma"))["prisma/schema.prisma"] != copied


@pytest.mark.node
@pytest.mark.postgres
@pytest.mark.slow
def test_the_project_on_the_users_schema_serves_the_contract(blog_prisma: httpx.Client) -> None:
    user = blog_prisma.post("/users", json={"email": "ann@x.io", "name": "Ann"})
    assert user.status_code == 201, user.text
    post = blog_prisma.post("/posts", json={"title": "Hi", "body": "b", "author_id": user.json()["id"]})
    assert post.status_code == 201, post.text
    tag = blog_prisma.post(f"/posts/{post.json()['id']}/tags", json={"name": "news"})
    assert tag.status_code == 201, tag.text
    listed = blog_prisma.get("/posts", params={"include": "author,tags", "status": "draft"})
    assert listed.status_code == 200, listed.text
    [row] = listed.json()["data"]
    assert row["author"]["email"] == "ann@x.io" and [t["name"] for t in row["tags"]] == ["news"]
    again = blog_prisma.post("/users", json={"email": "ann@x.io"})
    assert again.status_code == 409 and again.json()["errors"][0]["pointer"] == "/email"
