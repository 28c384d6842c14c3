"""SOURCE discovery follows DESIGN.md's conventions; bad paths are FB00x diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.sources import read_source, resolve


def _touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def _code(error: pytest.ExceptionInfo[CompileError]) -> str:
    return error.value.diagnostics[0].code


def test_a_models_file(tmp_path: Path) -> None:
    found = resolve(_touch(tmp_path / "app_models.py"))
    assert (found.language, found.root, found.entry.name) == ("sqlalchemy", tmp_path, "app_models.py")
    assert found.output_dir == tmp_path / ".fastbackend"


def test_a_prisma_file_and_a_folder_of_them(tmp_path: Path) -> None:
    assert resolve(_touch(tmp_path / "x.prisma")).language == "prisma"
    _touch(tmp_path / "schema" / "b.prisma")
    _touch(tmp_path / "schema" / "a.prisma")
    found = resolve(tmp_path / "schema")
    assert found.language == "prisma"
    assert [p.name for p in found.files] == ["a.prisma", "b.prisma"]


def test_convention_prefers_models_py_then_prisma(tmp_path: Path) -> None:
    _touch(tmp_path / "prisma" / "schema.prisma")
    assert resolve(tmp_path).language == "prisma"
    assert resolve(tmp_path).root == tmp_path
    _touch(tmp_path / "models.py")
    assert resolve(tmp_path).entry == tmp_path / "models.py"


def test_a_models_package(tmp_path: Path) -> None:
    _touch(tmp_path / "models" / "__init__.py")
    _touch(tmp_path / "models" / "users.py")
    found = resolve(tmp_path)
    assert found.language == "sqlalchemy"
    assert sorted(found.relative(p) for p in found.files) == ["models/__init__.py", "models/users.py"]


def test_config_names_the_schema(tmp_path: Path) -> None:
    _touch(tmp_path / "db" / "tables.py")
    _touch(tmp_path / "fastbackend.yaml", "schema: db/tables.py\n")
    assert resolve(tmp_path).entry == tmp_path / "db" / "tables.py"
    assert resolve(tmp_path / "fastbackend.yaml").entry == tmp_path / "db" / "tables.py"


def test_config_schema_may_be_quoted_and_commented(tmp_path: Path) -> None:
    _touch(tmp_path / "db" / "tables.py")
    _touch(tmp_path / "fastbackend.yaml", "# project\nschema: 'db/tables.py'  # the models\n")
    assert resolve(tmp_path).entry == tmp_path / "db" / "tables.py"


def test_config_schema_that_is_not_a_path_is_fb402_at_its_position(tmp_path: Path) -> None:
    _touch(tmp_path / "fastbackend.yaml", "models: {}\nschema: [models.py]\n")
    with pytest.raises(CompileError) as error:
        resolve(tmp_path)
    diagnostic = error.value.diagnostics[0]
    assert (diagnostic.code, diagnostic.file, diagnostic.line, diagnostic.column) == (
        "FB402", "fastbackend.yaml", 2, 9)


def test_current_folder_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _touch(tmp_path / "models.py")
    monkeypatch.chdir(tmp_path)
    assert resolve().entry.resolve() == (tmp_path / "models.py").resolve()


def test_missing_path_is_fb002(tmp_path: Path) -> None:
    with pytest.raises(CompileError) as error:
        resolve(tmp_path / "nope.py")
    assert _code(error) == "FB002"


def test_empty_folder_is_fb001(tmp_path: Path) -> None:
    with pytest.raises(CompileError) as error:
        resolve(tmp_path)
    assert _code(error) == "FB001"
    assert "schema.prisma" in error.value.diagnostics[0].message


def test_unknown_file_kind_is_fb003(tmp_path: Path) -> None:
    with pytest.raises(CompileError) as error:
        resolve(_touch(tmp_path / "schema.sql"))
    assert _code(error) == "FB003"


def test_non_utf8_source_is_fb004_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "models.py"
    path.write_bytes(b"import x\nname = '\xff'\n")
    with pytest.raises(CompileError) as error:
        read_source(path, "models.py")
    diagnostic = error.value.diagnostics[0]
    assert (diagnostic.code, diagnostic.file, diagnostic.line, diagnostic.column) == (
        "FB004", "models.py", 2, 9)
