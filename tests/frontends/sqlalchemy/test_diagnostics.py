"""Bad input gives `file:line:col: severity FBxxx: message` (exit 3 on errors), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fastbackend.cli.main import cli
from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend.pipeline import compile_path

HEAD = '''\
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass
'''


def compile_text(tmp_path: Path, body: str, name: str = "models.py") -> list[Diagnostic]:
    path = tmp_path / name
    path.write_text(HEAD + body, "utf-8")
    try:
        _, result = compile_path(path)
    except CompileError as error:
        return error.diagnostics
    return result.warnings


def located(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int, str, str]]:
    return [(d.file, d.line, d.column, d.severity.value, d.code) for d in diagnostics]


def test_a_syntax_error_exits_3_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "models.py"
    path.write_text("class User(Base):\n    id = Column(Integer\n\nx = 1 +\n", "utf-8")
    result = CliRunner().invoke(cli, ["compile", str(path), "--target", "ir"],
                                catch_exceptions=False)
    assert result.exit_code == 3
    first = result.stderr.splitlines()[0]
    # CPython's own parser decides the position: the bracket that is never closed. The file is
    # outside the current folder: its absolute path (tests/cli/test_diagnostic_paths.py).
    assert first == f"{path}:2:16: error FB101: syntax error: '(' was never closed"
    assert "Traceback" not in result.output


def test_an_unsupported_construct_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "models.py"
    path.write_text(HEAD + '''
from sqlalchemy.orm import registry

users = Table("users", Base.metadata, Column("id", Integer, primary_key=True))


class User:
    pass


registry().map_imperatively(User, users)
''', "utf-8")
    result = CliRunner().invoke(cli, ["compile", str(path), "--target", "ir"],
                                catch_exceptions=False)
    assert result.exit_code == 3
    assert ("models.py:17:1: error FB102: imperative mapping (map_imperatively) is not "
            "supported") in result.stderr
    assert "    registry().map_imperatively(User, users)\n    ^" in result.stderr


def test_a_class_made_with_type_is_a_warning_at_its_call(tmp_path: Path) -> None:
    found = compile_text(tmp_path, '''
class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)


Dynamic = type("Dynamic", (Base,), {"__tablename__": "dyn"})
''')
    assert located(found) == [("models.py", 13, 11, "warning", "FB103")]
    assert "created at run time with type(...)" in found[0].message


def test_a_default_computed_at_run_time_is_a_warning(tmp_path: Path) -> None:
    found = compile_text(tmp_path, '''
import random


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    lucky = Column(Integer, default=random.randint(1, 9))
''')
    assert located(found) == [("models.py", 14, 37, "warning", "FB103")]
    assert "random.randint" in found[0].message


def test_a_type_decorator_is_its_impl_or_recorded_by_name(tmp_path: Path) -> None:
    """A known impl: its type, with a note. An impl the compiler does not know: by name, with a
    warning."""
    path = tmp_path / "models.py"
    path.write_text(HEAD + '''
from sqlalchemy.types import TypeDecorator

from geo import Geometry


class Money(TypeDecorator):
    impl = Integer


class Shape(TypeDecorator):
    impl = Geometry


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    balance = Column(Money)
    area = Column(Shape)
''', "utf-8")
    _, result = compile_path(path)
    assert located(result.warnings) == [("models.py", 24, 22, "note", "FB104"),
                                        ("models.py", 25, 19, "warning", "FB104")]
    user = result.ir.entities["User"]
    assert user.field("balance").type == "integer"
    area = user.field("area")
    assert (area.type, area.db and area.db.type) == ("unsupported", "Shape")


@pytest.mark.parametrize(("body", "expected"), [
    ('''
class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    author = relationship("Writer")
''', [("models.py", 11, 5, "error", "FB105")]),
    ('''
class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    author_id = Column(ForeignKey("people.id"))
''', [("models.py", 11, 24, "error", "FB105")]),
    ('''
class Place(Base):
    __tablename__ = "places"
    id = Column(Integer, primary_key=True)


class Trip(Base):
    __tablename__ = "trips"
    id = Column(Integer, primary_key=True)
    start_id = Column(ForeignKey("places.id"))
    end_id = Column(ForeignKey("places.id"))
    start = relationship(Place)
''', [("models.py", 18, 5, "error", "FB106")]),
    ('''
class Log(Base):
    __tablename__ = "logs"
    message = Column(String)
''', [("models.py", 8, 7, "error", "FB107")]),
    ('''
class Helper:
    pass
''', [("models.py", 1, 1, "error", "FB108")]),
    ('''
class Orphan(Base):
    id = Column(Integer, primary_key=True)
''', [("models.py", 8, 7, "error", "FB110")]),
    ('''
audit = Table("audit", Base.metadata, Column("id", Integer, primary_key=True))


class Entry(Base):
    __tablename__ = "entries"
    id = Column(Integer, primary_key=True)
    audit_id = Column(ForeignKey("audit.id"))
''', [("models.py", 8, 1, "warning", "FB111"), ("models.py", 14, 23, "warning", "FB111")]),
])
def test_each_problem_is_reported_where_it_is(tmp_path: Path, body: str,
                                              expected: list[tuple[str, int, int, str, str]]
                                              ) -> None:
    assert located(compile_text(tmp_path, body)) == expected


def test_two_classes_with_one_name_in_a_package(tmp_path: Path) -> None:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("", "utf-8")
    (package / "base.py").write_text(HEAD, "utf-8")
    for name in ("a", "b"):
        (package / f"{name}.py").write_text(f'''from sqlalchemy import Column, Integer
from .base import Base


class Thing(Base):
    __tablename__ = "things_{name}"
    id = Column(Integer, primary_key=True)
''', "utf-8")
    with pytest.raises(CompileError) as raised:
        compile_path(package)
    assert located(raised.value.diagnostics) == [("app/b.py", 5, 7, "error", "FB109")]


def test_an_internal_failure_is_a_diagnostic_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fastbackend.frontends.sqlalchemy as frontend

    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(frontend, "find_models", broken)
    found = compile_text(tmp_path, "")
    assert located(found) == [("models.py", 1, 1, "error", "FB100")]
    assert "RuntimeError: boom" in found[0].message


def test_two_classes_mapping_one_table_is_an_error(tmp_path: Path) -> None:
    found = compile_text(tmp_path, '''
class First(Base):
    __tablename__ = "things"
    id = Column(Integer, primary_key=True)


class Second(Base):
    __tablename__ = "things"
    id = Column(Integer, primary_key=True)
''')
    assert located(found) == [("models.py", 13, 7, "error", "FB109")]
    assert "Second maps table things, which First already maps" in found[0].message


def test_an_unmapped_core_table_is_reported(tmp_path: Path) -> None:
    found = compile_text(tmp_path, '''
audit = Table("audit", Base.metadata, Column("id", Integer, primary_key=True))


class Entry(Base):
    __tablename__ = "entries"
    id = Column(Integer, primary_key=True)
''')
    assert located(found) == [("models.py", 8, 1, "warning", "FB111")]
    assert "table audit is mapped by no class" in found[0].message


def test_a_class_annotation_without_relationship_is_an_error(tmp_path: Path) -> None:
    found = compile_text(tmp_path, '''
from sqlalchemy.orm import Mapped


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    best_friend: Mapped["User"]
''')
    assert located(found) == [("models.py", 14, 5, "error", "FB105")]
