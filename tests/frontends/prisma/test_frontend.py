"""The Prisma front-end's behaviour that the differential test cannot see (Prisma has no IR)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fastbackend.cli.main import cli
from fastbackend.diagnostics import CompileError
from fastbackend.frontends.prisma import compile_texts
from fastbackend.frontends.prisma.parser import build_parser
from fastbackend.pipeline import compile_path
from fastbackend_grammars import read_grammar
from fastbackend_ir import FieldApi, GeneratorDefault, LiteralDefault, SqlDefault, dumps
from tests.frontends.prisma.corpus import CORPUS, load_cases

DOCS = (CORPUS / "valid" / "docs_and_comments.prisma").read_text("utf-8")


def test_the_grammar_ships_in_the_grammars_package() -> None:
    grammar = read_grammar("prisma.lark")
    assert grammar.startswith("// The Prisma Schema Language")
    assert build_parser() is build_parser()  # built once per process


def test_doc_comments_become_descriptions_as_prisma_attaches_them() -> None:
    entity = compile_texts({"schema.prisma": DOCS}).ir.entity("Doc")
    assert entity.description == "The model's doc.\nSecond line."
    described = {f.name: f.description for f in entity.fields}
    assert described["id"] == "The id.\nMore about the id.\ntrailing doc"
    assert described["a"] == "a block comment is documentation too"
    assert described["b"] == "* starred\ntrailing block"
    assert described["c"] == "/slashes"


def test_doc_annotations_set_field_api_roles() -> None:
    fields = {f.name: f for f in compile_texts({"schema.prisma": DOCS}).ir.entity("Doc").fields}
    assert fields["secret"].api == FieldApi(hidden=True)
    assert fields["secret"].description is None
    assert fields["password"].api == FieldApi(write_only=True)
    assert fields["password"].description == "Write only."
    assert fields["computed"].api == FieldApi(read_only=True)
    assert fields["c"].api == FieldApi()


def test_defaults_are_typed() -> None:
    text = (CORPUS / "valid" / "defaults_functions.prisma").read_text("utf-8")
    fields = {f.name: f for f in compile_texts({"schema.prisma": text}).ir.entity("Ids").fields}
    assert fields["id"].default == GeneratorDefault("uuid4")
    assert fields["u7"].default == GeneratorDefault("uuid7")
    assert fields["c2"].default == GeneratorDefault("cuid2")
    assert fields["n10"].default == GeneratorDefault("nanoid", args=(10,))
    assert fields["dbs"].default == SqlDefault("'x'::text")
    assert fields["ts"].default == GeneratorDefault("now", server=True) and fields["ts"].updated_at
    assert fields["seq"].autoincrement and fields["seq"].default is None
    scalars = (CORPUS / "valid" / "all_scalars.prisma").read_text("utf-8")
    every = {f.name: f for f in compile_texts({"schema.prisma": scalars}).ir.entity(
        "Everything").fields}
    assert every["big"].default == LiteralDefault("9007199254740993", server=True)
    assert every["d"].default == LiteralDefault("3.14", server=True)
    assert every["flags"].default == LiteralDefault([True, False], server=True)
    assert every["leading"].default == LiteralDefault(7, server=True)


def test_native_types_and_maps() -> None:
    text = (CORPUS / "valid" / "native_defaults_indexes.prisma").read_text("utf-8")
    entity = compile_texts({"schema.prisma": text}).ir.entity("A")
    fields = {f.name: f for f in entity.fields}
    assert fields["id"].type == "uuid"
    assert fields["d"].db is not None and (fields["d"].db.precision, fields["d"].db.scale) == (10, 2)
    assert fields["n"].column == "n_col"
    assert fields["u"].type == "unsupported" and fields["u"].db is not None
    assert fields["u"].db.raw == "circle"


def test_implicit_many_to_many_uses_prismas_join_table() -> None:
    text = (CORPUS / "valid" / "relations_many_to_many.prisma").read_text("utf-8")
    ir = compile_texts({"schema.prisma": text}).ir
    assert sorted(ir.join_tables) == ["_CategoryToPost", "_PostLabels"]
    table = ir.join_tables["_CategoryToPost"]
    assert [(c.name, c.references.entity) for c in table.columns] == [
        ("A", "Category"), ("B", "Post")]
    categories = ir.entity("Post").relation("categories")
    assert (categories.join_columns, categories.inverse_join_columns) == (("B",), ("A",))


def test_named_constraints_are_located() -> None:
    text = (CORPUS / "valid" / "block_attributes.prisma").read_text("utf-8")
    result = compile_texts({"schema.prisma": text})
    uniques = result.ir.entity("Item").uniques
    assert [(u.fields, u.name) for u in uniques] == [
        (("sku", "region"), "items_sku_region_key"), (("title", "region"), "item_title_region_key")]
    assert str(result.source_map["/entities/Item/uniques/1"]) == "schema.prisma:15:3"
    assert str(result.source_map["/entities/Item/primaryKey"]) == "schema.prisma:7:19"


def test_every_valid_corpus_schema_gives_a_schema_valid_ir() -> None:
    for case in load_cases("valid"):
        if case.id == "unicode_identifiers":
            continue  # REST paths from non-ASCII names: the API naming pass, not this front-end
        dumps(compile_texts(case.files).ir)


def test_a_folder_of_prisma_files_is_one_schema() -> None:
    sources, result = compile_path(CORPUS / "valid" / "multi_file")
    assert [p.name for p in sources.files] == ["main.prisma", "post.prisma", "user.prisma"]
    assert result.ir.source.files == ("main.prisma", "post.prisma", "user.prisma")
    assert result.ir.entity("Post").source == "post.prisma"
    assert result.source_map["/entities/User"].file == "user.prisma"


def test_source_map_has_every_element() -> None:
    text = (CORPUS / "valid" / "relations_compound.prisma").read_text("utf-8")
    result = compile_texts({"schema.prisma": text})
    entry = result.ir.entity("Entry")
    for kind, items in (("fields", entry.fields), ("relations", entry.relations),
                        ("foreignKeys", entry.foreign_keys)):
        for index in range(len(items)):
            assert f"/entities/Entry/{kind}/{index}" in result.source_map
    assert str(result.source_map["/entities/Entry/relations/0"]) == "schema.prisma:17:3"
    assert str(result.source_map["/entities/Entry/indexes/0"]) == "schema.prisma:19:3"
    assert str(result.source_map["/entities/Account/primaryKey"]) == "schema.prisma:10:3"


def test_cli_prints_located_diagnostics_and_exits_3(tmp_path: Path) -> None:
    schema = tmp_path / "schema.prisma"
    schema.write_text("model A {\n  id Int @id\n  b Strin\n}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["compile", str(schema)], catch_exceptions=False)
    assert result.exit_code == 3
    assert "schema.prisma:3:5: error FB202: Type \"Strin\"" in result.output


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_crlf_positions_match_lf(newline: str) -> None:
    text = "model A {\n  id Int @id\n  b Strin\n}\n".replace("\n", newline)
    with pytest.raises(Exception) as raised:
        compile_texts({"schema.prisma": text})
    assert "schema.prisma:3:5: error FB202" in str(raised.value)


def test_a_file_that_is_not_utf8_is_a_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "schema.prisma").write_bytes(b"model A {\n  id Int @id \xff\n}\n")
    result = CliRunner().invoke(cli, ["compile", str(tmp_path / "schema.prisma")],
                                catch_exceptions=False)
    assert result.exit_code == 3
    assert "schema.prisma:1:1: error FB004" in result.output


def test_errors_in_a_multi_file_schema_name_their_file() -> None:
    case = next(c for c in load_cases("invalid") if c.id == "multi_file_errors")
    with pytest.raises(CompileError) as raised:
        compile_texts(case.files)
    assert [(d.file, d.line, d.code) for d in raised.value.errors] == [
        ("b.prisma", 5, "FB202"), ("b.prisma", 8, "FB203")]


def test_the_public_api_is_pinned() -> None:
    import fastbackend.frontends.prisma as prisma

    assert prisma.__all__ == ["compile_sources", "compile_texts"]
