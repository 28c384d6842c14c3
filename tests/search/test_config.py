"""fastbackend.yaml's `models.<Model>.search`: what the compiler records in the IR, what it
refuses (at the line of the mistake), and the OpenAPI parameter it gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastbackend.config import ConfigError
from fastbackend_ir import load
from fastbackend_openapi.document import emit
from tests.search.conftest import compile_project


def test_the_ir_records_fields_language_and_index(search_ir: Path) -> None:
    ir = load(search_ir)
    article = ir.entities["Article"].search
    assert article is not None
    assert (article.fields, article.language, article.index) == (
        ("title", "body"), "english", "articles_search")
    assert ir.entities["Note"].search is None
    assert ir.ir_version == "1.9"


def test_a_list_is_the_short_form(tmp_path: Path) -> None:
    ir = load(compile_project(tmp_path, "models:\n  Note:\n    search: [text]\n"))
    search = ir.entities["Note"].search
    assert search is not None and search.fields == ("text",) and search.language == "english"


@pytest.mark.parametrize(("config", "code", "line", "words"), [
    ("models:\n  Note:\n    search: [nope]\n", "FB406", 3, "'nope' is not a field of Note"),
    ("models:\n  Article:\n    search:\n      fields: [title, views]\n", "FB402", 4,
     "Article.views is not a text field"),
    ("models:\n  Article:\n    fields: {body: hidden}\n    search: [body]\n", "FB402", 4,
     "never returned"),
    ("models:\n  Article:\n    search: {fields: [title], language: \"english'; --\"}\n",
     "FB402", 3, "text search configuration"),
    ("models:\n  Article:\n    search: {fields: [title], stemmer: x}\n", "FB401", 3,
     "unknown key 'stemmer'"),
    ("models:\n  Article:\n    search: []\n", "FB402", 3, "list of distinct field names"),
    ('models:\n  "*":\n    search: [title]\n', "FB402", 3, "cannot be given there"),
])
def test_refusals(tmp_path: Path, config: str, code: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as raised:
        compile_project(tmp_path, config)
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.line) == (code, line), diagnostic
    assert words in diagnostic.message


def test_openapi_documents_search_only_where_declared(search_ir: Path) -> None:
    document = emit(load(search_ir))
    parameters = document["components"]["parameters"]
    assert parameters["Articles.search"]["in"] == "query"
    assert parameters["Articles.search"]["name"] == "search"
    assert "Notes.search" not in parameters
    listed = [p["$ref"] for p in document["paths"]["/articles"]["get"]["parameters"]]
    assert "#/components/parameters/Articles.search" in listed
    notes = [p["$ref"] for p in document["paths"]["/notes"]["get"]["parameters"]]
    assert not any("search" in ref for ref in notes)
    body = document["components"]["schemas"]
    assert any("search" in schema.get("properties", {}) for name, schema in body.items()
               if name.startswith("Article"))
