"""Values are read statically: module constants are followed, anything else is reported."""

from __future__ import annotations

from pathlib import Path

from fastbackend.pipeline import compile_path

HEAD = '''\
import os

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
'''


def test_module_constants_are_followed_across_modules(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text('NAME_LENGTH = 80\nUSERS = "users"\n', "utf-8")
    (tmp_path / "models.py").write_text(HEAD + '''
from settings import NAME_LENGTH, USERS

OPTIONAL = True
DEFAULT_NAME = "anonymous"


class User(Base):
    __tablename__ = USERS
    id = Column(Integer, primary_key=True)
    name = Column(String(NAME_LENGTH), nullable=OPTIONAL, default=DEFAULT_NAME)
''', "utf-8")
    _, result = compile_path(tmp_path / "models.py")
    user = result.ir.entities["User"]
    name = user.field("name")
    assert (user.table, name.db and name.db.length, name.nullable) == ("users", 80, True)
    assert name.default is not None and name.default.kind == "literal"
    assert result.warnings == []
    assert "settings.py" in result.ir.source.files


def test_values_from_the_environment_are_reported_where_they_are(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(HEAD + '''

class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    name = Column(String(int(os.environ["LEN"])), nullable=os.environ.get("OPT") == "1")
''', "utf-8")
    _, result = compile_path(tmp_path / "models.py")
    found = [(w.line, w.column, w.code) for w in result.warnings]
    assert found == [(14, 26, "FB103"), (14, 60, "FB103")]
    name = result.ir.entities["User"].field("name")
    assert name.db is None  # the length is left out, not guessed
    assert "String(...)" in result.warnings[0].message
    assert "nullable=" in result.warnings[1].message


def test_a_computed_table_name_is_an_error_at_its_line(tmp_path: Path) -> None:
    from fastbackend.diagnostics import CompileError

    (tmp_path / "models.py").write_text(HEAD + '''

class User(Base):
    __tablename__ = os.environ["TABLE"]
    id = Column(Integer, primary_key=True)
''', "utf-8")
    try:
        compile_path(tmp_path / "models.py")
    except CompileError as error:
        found = [(d.line, d.column, d.code, d.severity.value) for d in error.diagnostics]
    assert found == [(12, 5, "FB103", "error")]


def test_computed_mapper_args_are_reported(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(HEAD + '''

class Animal(Base):
    __tablename__ = "animals"
    id = Column(Integer, primary_key=True)
    kind = Column(String(20))
    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "animal".upper()}
''', "utf-8")
    _, result = compile_path(tmp_path / "models.py")
    assert [(w.line, w.column, w.code) for w in result.warnings] == [(15, 72, "FB103")]
    inheritance = result.ir.entities["Animal"].inheritance
    assert inheritance is not None and inheritance.identity is None
    assert inheritance.discriminator == "kind"


def test_declarations_under_a_runtime_condition_are_reported(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(HEAD + '''
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Mapped

if os.environ.get("AUDIT"):

    class Audit(Base):
        __tablename__ = "audit"
        id = Column(Integer, primary_key=True)


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    if os.environ.get("LEGACY"):
        legacy_name = Column(String(20))
''', "utf-8")
    _, result = compile_path(tmp_path / "models.py")
    assert [(w.line, w.column, w.code) for w in result.warnings] == [
        (15, 4, "FB103"), (25, 8, "FB103")]
    assert sorted(result.ir.entities) == ["Audit", "User"]


def test_a_name_assigned_twice_in_a_class_means_its_last_value(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(HEAD + '''

class User(Base):
    __tablename__ = "people"
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    name = Column(String(10))
    name = Column(String(20))
''', "utf-8")
    _, result = compile_path(tmp_path / "models.py")
    user = result.ir.entities["User"]
    assert user.table == "users"
    assert [(f.name, f.db and f.db.length) for f in user.fields] == [("id", None), ("name", 20)]


def test_an_undefined_name_is_reported_where_it_is_used(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(HEAD + '''
for size in (10, 20):
    pass
A, B = 1, 2


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    name = Colum(String(size))
    tags = Column(Strin, default=lambda ctx: ctx.x)
''', "utf-8")
    _, result = compile_path(tmp_path / "models.py")
    found = [(w.line, w.column, w.code, w.message.split(" is ")[0]) for w in result.warnings]
    assert found == [(18, 12, "FB105", "name 'Colum'"), (19, 19, "FB104", "column type Strin"),
                     (19, 19, "FB105", "name 'Strin'"), (19, 34, "FB103", "the default")]
    assert [f.name for f in result.ir.entities["User"].fields] == ["id", "tags"]


def test_api_roles_come_from_the_column_info(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(HEAD + '''

class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    password = Column(String(100), info={"fastbackend": {"write_only": True}})
    risk = Column(Integer, info={"fastbackend": {"hidden": True}, "other": 1})
    name = Column(String(20), info={"label": "Name"})
''', "utf-8")
    _, result = compile_path(tmp_path / "models.py")
    user = result.ir.entities["User"]
    roles = {f.name: (f.api.read_only, f.api.write_only, f.api.hidden) for f in user.fields}
    assert roles == {"id": (True, False, False), "password": (False, True, False),
                     "risk": (False, False, True), "name": (False, False, False)}
