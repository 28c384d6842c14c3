"""What the fuzzer found, each as the smallest input that showed it (docs/testing.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.frontends.prisma import compile_texts
from fastbackend.pipeline import compile_path

FASTAPI_USERS_WITHOUT_USER = '''\
from fastapi_users_db_sqlalchemy import SQLAlchemyBaseOAuthAccountTableUUID
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class OAuthAccount(SQLAlchemyBaseOAuthAccountTableUUID, Base):
    pass
'''


def test_a_library_columns_foreign_key_is_reported_at_the_class_that_inherits_it(
        tmp_path: Path) -> None:
    """fastapi-users' OAuth mixin has ForeignKey("user.id"); with no `user` table that is FB105.
    It was reported at line 36 of the library's description (libraries/), in the user's file's
    name: a line the 10-line file does not have."""
    models = tmp_path / "models.py"
    models.write_text(FASTAPI_USERS_WITHOUT_USER, "utf-8")
    with pytest.raises(CompileError) as raised:
        compile_path(models)
    (error,) = raised.value.errors
    assert (error.file, error.line, error.column, error.code) == ("models.py", 9, 7, "FB105")
    assert "'user.id'" in error.message
    assert error.source_line is not None and error.source_line.startswith("class OAuthAccount(")


DUPLICATED_INDEX = "model A {\n  id Int @id\n  g  Int\n  @@index([g])\n  @@index([g])\n}\n"


@pytest.mark.parametrize("provider", ["postgresql", "sqlite", "mysql", "sqlserver"])
def test_two_constraints_of_one_name_are_refused_where_prisma_refuses_them(provider: str) -> None:
    """A duplicated `@@index([g])` compiled, and the runtime's second `CREATE INDEX "A_g_idx"`
    failed at start-up. Prisma refuses two constraints of one name (by `map:` or its default
    names) where the provider keeps them in one namespace: FB205 at each."""
    datasource = f'datasource db {{\n  provider = "{provider}"\n  url = env("DATABASE_URL")\n}}\n'
    with pytest.raises(CompileError) as raised:
        compile_texts({"schema.prisma": datasource + DUPLICATED_INDEX})
    assert [(e.line, e.code) for e in raised.value.errors] == [(8, "FB205"), (9, "FB205")]
    assert "constraint name `A_g_idx` has to be unique" in raised.value.errors[0].message


@pytest.mark.parametrize("datasource", ["", 'datasource db {\n  provider = "cockroachdb"\n'
                                            '  url = env("DATABASE_URL")\n}\n'])
def test_prisma_checks_no_constraint_names_without_a_datasource_or_on_cockroachdb(
        datasource: str) -> None:
    compile_texts({"schema.prisma": datasource + DUPLICATED_INDEX})


SINGLE_TABLE = '''\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Vehicle(Base):
    __tablename__ = "vehicles"
    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "vehicle"}


class Truck(Vehicle):
    COLUMN
    __mapper_args__ = {"polymorphic_identity": "truck"}
'''


def test_a_single_table_subclass_column_that_its_parent_has_is_fb109_not_fb006(
        tmp_path: Path) -> None:
    """SQLAlchemy refuses it ("Column 'kind' on class Truck conflicts with existing column
    'vehicles.kind'"); the IR had the field twice, and the compiler said FB006 (its own bug)."""
    models = tmp_path / "models.py"
    models.write_text(SINGLE_TABLE.replace("COLUMN", "kind = Column(String(20))"), "utf-8")
    with pytest.raises(CompileError) as raised:
        compile_path(models)
    (error,) = raised.value.errors
    assert (error.line, error.column, error.code) == (17, 5, "FB109")
    assert "'kind'" in error.message and "use_existing_column=True" in error.message


def test_a_single_table_subclass_may_reuse_its_parents_column(tmp_path: Path) -> None:
    models = tmp_path / "models.py"
    models.write_text(SINGLE_TABLE.replace("COLUMN", "kind: Mapped[str] = mapped_column("
                                           "String(20), use_existing_column=True)"), "utf-8")
    _, result = compile_path(models)
    assert [f.name for f in result.ir.entities["Truck"].fields] == ["id", "kind"]


def test_an_import_of_a_name_too_long_for_a_file_is_no_module(tmp_path: Path) -> None:
    """`from .item___...x import Item` (300 characters) made the module finder's is_file raise
    ENAMETOOLONG: FB100, an internal error. No file can have that name: no such module."""
    package = tmp_path / "models"
    package.mkdir()
    (package / "__init__.py").write_text("", "utf-8")
    (package / "user.py").write_text(
        "from sqlalchemy import Integer\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, "
        "mapped_column\n\nfrom .item" + "_" * 300 + "x import Item\n\n\nclass Base(DeclarativeBase):"
        "\n    pass\n\n\nclass User(Base):\n    __tablename__ = \"users\"\n    id: Mapped[int] = "
        "mapped_column(Integer, primary_key=True)\n", "utf-8")
    _, result = compile_path(package)
    assert list(result.ir.entities) == ["User"]


def test_a_syntax_error_only_libcst_finds_is_on_its_line(tmp_path: Path) -> None:
    """`((x)): int` is Python (CPython accepts a parenthesized annotated name) that libcst's
    parser refuses; its raw_line is one past the line it names, here past the end of the file."""
    models = tmp_path / "models.py"
    models.write_text("from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):"
                      "\n    ((starts_at)): int\n", "utf-8")
    with pytest.raises(CompileError) as raised:
        compile_path(models)
    (error,) = raised.value.errors
    assert (error.line, error.code) == (5, "FB101")
    assert error.source_line == "    ((starts_at)): int"
    assert 1 <= error.column <= len(error.source_line) + 1


def test_a_relation_keyed_by_an_ignored_field_is_left_out_with_it() -> None:
    """Prisma accepts `orgId Int @ignore` under `@relation(fields: orgId, ...)` and an index:
    the IR left the field out but kept the foreign key, relation and index naming it (FB006)."""
    result = compile_texts({"schema.prisma": '''\
model Org {
  id   Int      @id
  keys ApiKey[]
}

model ApiKey {
  id    Int    @id
  orgId Int    @ignore
  label String
  org   Org    @relation(fields: orgId, references: id)
  @@index(orgId)
  @@index(label)
}
'''})
    api_key, org = result.ir.entities["ApiKey"], result.ir.entities["Org"]
    assert [f.name for f in api_key.fields] == ["id", "label"]
    assert (api_key.relations, api_key.foreign_keys, org.relations) == ((), (), ())
    assert [[f.field for f in index.fields] for index in api_key.indexes] == [["label"]]
