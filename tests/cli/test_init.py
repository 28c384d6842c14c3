"""`fastbackend init NAME`: a ready project that compiles and whose own tests pass."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from fastbackend.cli.main import cli
from fastbackend.pipeline import compile_path

EXPECTED = {".env.example", ".gitignore", ".pre-commit-config.yaml", "README.md",
            "fastbackend.yaml", "app/custom/hello.py", "app/custom/keep_authors.py",
            "tests/test_api.py"}


def init(folder: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["init", str(folder), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("schema", "schema_file"), [("sqlalchemy", "models.py"),
                                                      ("prisma", "schema.prisma")])
def test_init_writes_a_project_that_compiles(tmp_path: Path, schema: str,
                                              schema_file: str) -> None:
    folder = tmp_path / "notes-app"
    code, out, _ = init(folder, "--schema", schema)
    assert code == 0
    assert "created" in out and "cd " in out and "fastbackend dev" in out
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert written == EXPECTED | {schema_file}
    assert yaml.safe_load((folder / "fastbackend.yaml").read_text("utf-8")) == {
        "schema": schema_file}
    sources, result = compile_path(folder)  # found through fastbackend.yaml
    assert sources.entry == folder / schema_file
    assert sorted(result.ir.entities) == ["Author", "Note"]
    assert "router = APIRouter(" in (folder / "app" / "custom" / "hello.py").read_text("utf-8")
    assert ".fastbackend/" in (folder / ".gitignore").read_text("utf-8")
    hooks = yaml.safe_load((folder / ".pre-commit-config.yaml").read_text("utf-8"))
    assert hooks["repos"][0]["hooks"][0]["entry"] == "fastbackend compile --check"
    assert "notes-app" in (folder / "tests" / "test_api.py").read_text("utf-8")


def test_init_into_an_empty_folder_is_fine(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert init(tmp_path / "empty", "-q") == (0, "", "")


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine", "utf-8")
    code, _, err = init(folder)
    assert code == 2
    assert err == f"error: {folder} already exists and is not empty; choose another name\n"
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]


def test_init_refuses_an_unusable_name(tmp_path: Path) -> None:
    code, _, err = init(tmp_path / "-rf")
    assert code == 2 and "not a usable project name" in err
    assert not (tmp_path / "-rf").exists()


def test_init_rejects_an_unknown_schema_language(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--schema", "django"])
    assert result.exit_code == 2
    assert "'django' is not one of 'prisma', 'sqlalchemy'" in result.stderr
