"""What compiled silently wrong, or refused, now reads as SQLAlchemy reads it, and what only
running the code could tell is said where it is written (#17, #27 item 15). Each value asserted
here is also compared with SQLAlchemy's own metadata by the differential corpus
(silent_mistakes.py, project_flask/)."""

from __future__ import annotations

from pathlib import Path

from fastbackend.diagnostics import CompileError, Diagnostic, Severity
from fastbackend.pipeline import compile_path
from fastbackend_ir import IR, GeneratorDefault, LiteralDefault
from tests.frontends.sqlalchemy.differential import CORPUS

HEAD = '''\
from typing import Literal

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

'''


def _compile(tmp_path: Path, body: str) -> tuple[IR, list[Diagnostic]]:
    path = tmp_path / "models.py"
    path.write_text(HEAD + body, "utf-8")
    _, result = compile_path(path)
    return result.ir, result.warnings


def test_the_silent_mistakes_read_as_sqlalchemy_reads_them() -> None:
    _, result = compile_path(CORPUS / "silent_mistakes.py")
    account = result.ir.entities["Account"]
    aliases = account.field("aliases")
    assert (aliases.type, aliases.list, aliases.nullable) == ("string", True, True)  # ARRAY
    assert account.field("settings").type == "json"  # MutableDict.as_mutable(JSON)
    assert account.field("history").type == "json"  # MutableList.as_mutable(JSON)
    balance = account.field("balance")  # TypeDecorator with impl = Numeric(12, 2)
    assert (balance.type, balance.db and balance.db.precision) == ("decimal", 12)
    slug = account.field("slug")  # TypeDecorator with impl = String, called Slug(40)
    assert (slug.type, slug.db and slug.db.length) == ("string", 40)
    touched = account.field("touched")  # onupdate=func.now() keeps server_default=func.now()
    assert touched.updated_at and touched.default == GeneratorDefault("now", server=True)
    session = result.ir.entities["Session"]
    assert session.field("account_id").type == "integer"  # the referenced column's type
    assert session.field("tag_code").type == "string"
    assert result.ir.join_tables["account_tags"].indexes == (("tag_id",),)  # index=True kept
    notes = [(d.severity, d.code, d.line) for d in result.warnings]
    assert notes == [(Severity.NOTE, "FB104", 56), (Severity.NOTE, "FB104", 57)]  # Money, Slug


def test_constants_and_enum_values_from_another_module(tmp_path: Path) -> None:
    _, result = compile_path(CORPUS / "project_flask")
    user = result.ir.entities["User"]
    assert user.field("first_name").db is not None and user.field("first_name").db.length == 80
    assert user.field("role").default == LiteralDefault("member")
    assert user.field("status").default == LiteralDefault("active")  # Status.ACTIVE.value
    assert [f.name for f in user.fields if f.name in ("bio", "login_count", "full_name",
                                                      "given_name", "initials")] == [
        "bio", "login_count"]  # deferred and column_property(Column): columns; the rest: not
    admin = result.ir.entities["Admin"]
    assert admin.table == "user" and admin.inheritance is not None
    assert admin.inheritance.strategy == "single"  # Flask-SQLAlchemy: no primary key of its own
    assert result.ir.entities["BlogPost"].table == "blog_post"  # derived, snake_case


def test_a_backref_that_is_not_an_identifier_is_a_warning_at_its_string(tmp_path: Path) -> None:
    """#27 item 15: was FB006 ("compiled IR failed validation") at 1:1."""
    ir, warnings = _compile(tmp_path, '''
class Base(DeclarativeBase):
    pass


class Parent(Base):
    __tablename__ = "parents"
    id: Mapped[int] = mapped_column(primary_key=True)
    children = relationship("Child", backref="my kids")


class Child(Base):
    __tablename__ = "children"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id = Column(ForeignKey("parents.id"))
''')
    assert [(d.code, d.line, d.column) for d in warnings] == [("FB113", 14, 46)]
    assert [r.name for r in ir.entities["Child"].relations] == []
    assert ir.entities["Parent"].relation("children").inverse is None


def test_enum_labels_that_are_not_names_keep_their_stored_value(tmp_path: Path) -> None:
    ir, _ = _compile(tmp_path, '''
class Base(DeclarativeBase):
    pass


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[Literal["in progress", "done", "on.hold"]]
''')
    [enum] = ir.enums.values()
    assert [(v.name, v.stored) for v in enum.values] == [
        ("in_progress", "in progress"), ("done", "done"), ("on_hold", "on.hold")]


def test_class_hooks_that_may_rewrite_the_models_are_warnings(tmp_path: Path) -> None:
    _, warnings = _compile(tmp_path, '''
class Base(DeclarativeBase):
    def __init_subclass__(cls, **kwargs):
        cls.__tablename__ = "t_" + cls.__name__.lower()
        super().__init_subclass__(**kwargs)


class Meta(type):
    pass


class Audited(metaclass=Meta):
    pass


class Thing(Audited, Base):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(primary_key=True)
''')
    assert [(d.code, d.line, d.column) for d in warnings] == [
        ("FB103", 8, 9), ("FB103", 17, 25)]
    assert "__init_subclass__ runs when each model class is created" in warnings[0].message


def test_fb108_names_the_base_that_did_not_resolve(tmp_path: Path) -> None:
    """#27 item 13: not "no mapped class" at 1:1."""
    path = tmp_path / "models.py"
    path.write_text("from company.orm import Model\n\n\nclass Invoice(Model):\n    pass\n",
                    "utf-8")
    try:
        compile_path(path)
    except CompileError as error:
        [found] = error.diagnostics
    assert (found.code, found.line, found.column) == ("FB108", 4, 15)
    assert "class Invoice derives from Model (company.orm.Model)" in found.message
    assert "module company.orm was not found in the project" in found.message


def test_an_abstract_concrete_base_has_no_table_and_is_no_error() -> None:
    """#27 item 13: was FB110."""
    _, result = compile_path(CORPUS / "abstract_concrete.py")
    assert sorted(result.ir.entities) == ["Engineer", "Manager"]
    assert [f.name for f in result.ir.entities["Manager"].fields] == [
        "id", "name", "manager_data"]


def test_a_mapper_event_listener_is_a_warning_where_it_is_registered(tmp_path: Path) -> None:
    """SQLAlchemy's generic_fk example adds relationships in a mapper_configured listener."""
    _, warnings = _compile(tmp_path, '''
from sqlalchemy import event


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(primary_key=True)


@event.listens_for(Base, "mapper_configured", propagate=True)
def add_owner(mapper, cls):
    cls.owner = relationship("Owner")


event.listen(Thing, "before_insert", print)
event.listen(Base, "instrument_class", print)
''')
    assert [(d.code, d.line, d.column) for d in warnings] == [("FB103", 19, 2), ("FB103", 25, 1)]
