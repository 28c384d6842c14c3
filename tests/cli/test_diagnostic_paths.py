"""Diagnostics name a file the user can open from where they ran the command: relative to the
current folder, or absolute outside it. They were relative to the schema's folder, so
`fastbackend compile sub/dir/schema.prisma` reported `schema.prisma:3:8`, which is no path from
here. The IR and its source map keep root-relative paths; the CLI decides the display."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fastbackend.cli.main import cli

BROKEN = "model User {\n  id   Int @id\n  name Strin\n}\n"
# a column type the compiler records by name: a warning (FB104), the compile succeeds
WARNED = '''from sqlalchemy import Column, Integer
from sqlalchemy.orm import DeclarativeBase
from geoalchemy2 import Geometry


class Base(DeclarativeBase):
    pass


class Place(Base):
    __tablename__ = "places"
    id = Column(Integer, primary_key=True)
    point = Column(Geometry)
'''


def _compile(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(cli, ["compile", *args], catch_exceptions=False)
    return done.exit_code, done.stderr


@pytest.fixture
def schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "sub" / "dir"
    folder.mkdir(parents=True)
    (folder / "schema.prisma").write_text(BROKEN, "utf-8")
    monkeypatch.chdir(tmp_path)
    return folder / "schema.prisma"


@pytest.mark.parametrize("given", ["sub/dir/schema.prisma", "sub/dir"])
def test_an_error_names_its_file_from_the_current_folder(schema: Path, given: str) -> None:
    code, stderr = _compile(given)
    assert code == 3
    assert stderr.startswith('sub/dir/schema.prisma:3:8: error FB202: Type "Strin"'), stderr


def test_from_inside_the_schema_folder_it_is_the_file_name(schema: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(schema.parent)
    assert _compile()[1].startswith("schema.prisma:3:8: error FB202")


def test_outside_the_current_folder_it_is_absolute(schema: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = schema.parents[2] / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert _compile(str(schema))[1].startswith(f"{schema}:3:8: error FB202")


def test_a_warning_names_its_file_the_same_way(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "models.py").write_text(WARNED, "utf-8")
    monkeypatch.chdir(tmp_path)
    code, stderr = _compile("app/models.py", "--no-cache")
    assert code == 0
    assert stderr.startswith("app/models.py:13:"), stderr
    assert "warning FB104" in stderr.splitlines()[0]
