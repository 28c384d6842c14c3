"""A compiled IR as SOURCE: commands work from ir.json alone (as adapters do); a .json file that
is not a valid IR is FB008 at its position."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastbackend.diagnostics import CompileError
from fastbackend.pipeline import compile_path
from fastbackend.sources import resolve
from tests.cli.helpers import GOLDEN_BLOG, ROOT, run

IMPLICIT = ROOT / "tests" / "adapters" / "express" / "irs" / "implicit.ir.json"


@pytest.fixture
def ir_file(tmp_path: Path) -> Path:
    return Path(shutil.copy(GOLDEN_BLOG, tmp_path / "blog.ir.json"))


def test_any_json_file_is_an_ir_source_in_its_folder(ir_file: Path) -> None:
    found = resolve(ir_file)
    assert (found.language, found.root, found.files) == ("ir", ir_file.parent, (ir_file,))


def test_the_compiled_ir_belongs_to_the_project_above_fastbackend(tmp_path: Path) -> None:
    ir = tmp_path / "project" / ".fastbackend" / "ir.json"
    ir.parent.mkdir(parents=True)
    shutil.copy(GOLDEN_BLOG, ir)
    found = resolve(ir)
    assert found.root == tmp_path / "project" and found.output_dir == ir.parent


def test_compiling_an_ir_gives_the_same_ir(ir_file: Path, tmp_path: Path) -> None:
    code, _, stderr = run("compile", str(ir_file), "--target", "ir", "--out", str(tmp_path / "out"))
    assert code == 0, stderr
    assert (tmp_path / "out" / "ir.json").read_bytes() == GOLDEN_BLOG.read_bytes()


def test_the_source_map_beside_a_compiled_ir_is_kept(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(GOLDEN_BLOG.parent.parent.parent / "examples" / "blog", project)
    assert run("compile", str(project), "--target", "ir")[0] == 0
    source_map = project / ".fastbackend" / "ir.map.json"
    before = source_map.read_bytes()
    assert json.loads(before)["locations"]  # positions in models.py
    code, _, stderr = run("compile", str(project / ".fastbackend" / "ir.json"), "--target", "ir")
    assert code == 0, stderr
    assert source_map.read_bytes() == before


def test_migrate_creates_the_tables_of_an_ir(ir_file: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    code, stdout, stderr = run("migrate", str(ir_file), "--apply", "--database-url", url,
                               "--directory", str(tmp_path / "migrations"))
    assert code == 0, stderr
    assert "create table posts" in stdout and "applied" in stdout
    engine = sa.create_engine(url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"users", "posts", "comments", "tags", "post_tags"} <= tables
    again = run("migrate", str(ir_file), "--database-url", url,
                "--directory", str(tmp_path / "migrations"))
    assert again[0] == 0 and "the database matches the IR" in again[1]


def _fb008(path: Path) -> tuple[str, int, int, str]:
    with pytest.raises(CompileError) as error:
        compile_path(path)
    diagnostic = error.value.diagnostics[0]
    assert diagnostic.code == "FB008"
    return diagnostic.file, diagnostic.line, diagnostic.column, diagnostic.message


def test_a_json_file_that_is_not_json_is_fb008_where_parsing_stopped(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "irVersion": "1.0",\n  oops\n}\n', "utf-8")
    file, line, column, message = _fb008(path)
    assert (file, line, column) == ("broken.json", 3, 3)
    assert "not JSON" in message


def test_json_that_is_not_an_ir_is_fb008_at_the_offending_key(ir_file: Path) -> None:
    text = ir_file.read_text("utf-8").replace('"nullable": true', '"nullable": "yes"', 1)
    ir_file.write_text(text, "utf-8")
    file, line, column, message = _fb008(ir_file)
    assert file == "blog.ir.json" and "nullable" in message
    assert text.splitlines()[line - 1][column - 1:].startswith('"nullable": "yes"')


def test_an_ir_of_an_unknown_major_version_is_fb008(ir_file: Path) -> None:
    text = ir_file.read_text("utf-8")
    ir_file.write_text(re.sub(r'"irVersion": "1\.\d+"', '"irVersion": "9.0"', text), "utf-8")
    *_, message = _fb008(ir_file)
    assert "major version 9" in message


def test_the_cli_prints_fb008_with_a_caret_and_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_text('{"name": "not-an-ir"}\n', "utf-8")
    code, _, stderr = run("migrate", str(path), "--database-url", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 3
    assert "package.json:1:1: error FB008: not a valid FastBackend IR" in stderr
    assert "^" in stderr


@pytest.mark.postgres
def test_migrate_creates_the_database_schemas_an_ir_names(postgres_url: str, tmp_path: Path) -> None:
    ir_file = Path(shutil.copy(IMPLICIT, tmp_path / "implicit.ir.json"))  # tables in "audit"
    code, _, stderr = run("migrate", str(ir_file), "--apply", "--database-url", postgres_url,
                          "--directory", str(tmp_path / "migrations"))
    assert code == 0, stderr
    revision = next((tmp_path / "migrations" / "versions").glob("*.py")).read_text("utf-8")
    assert 'CREATE SCHEMA IF NOT EXISTS "audit"' in revision
    engine = sa.create_engine(postgres_url)
    try:
        assert "AuditEntry" in sa.inspect(engine).get_table_names(schema="audit")
    finally:
        engine.dispose()
