"""Constraint names longer than PostgreSQL's 63 bytes (issue #27 item 3; #21 "a name for every
constraint"): the compiler names every constraint and index by the source's own rule, and the
names are the ones the source's own tool gives.

Oracles: real SQLAlchemy creating the same models on PostgreSQL (the names the database then
holds), and Prisma's schema engine (the SQL `prisma migrate diff` writes). Then the runtime:
`migrate --apply` and a served app on SQLite and PostgreSQL, where a unique violation is a 409
naming the fields (error mapping goes by the constraint's name).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastbackend.cli.main import cli
from fastbackend.diagnostics import CompileError, Diagnostic
from fastbackend.passes.constraint_names import check_column, make_object_name
from fastbackend.pipeline import compile_path
from fastbackend_ir import IR, dumps
from tests.conftest import ROOT
from tests.frontends.prisma.corpus import require_engines

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from click.testing import CliRunner

from fastbackend_fastapi import create_app

DDL_ORACLE = ROOT / "tests" / "frontends" / "prisma" / "prisma_ddl.mjs"

MEMBERS = "organisation_membership_records_with_a_long_name"  # 48 bytes: names outgrow 63
TEAMS = "teams_of_the_organisation_with_long_names"
LINKS = "member_project_links_with_a_long_name_for_the_names_test"
M2M = "members_and_the_projects_they_take_part_in_under_a_long_relation_name"

MODELS = f'''
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, MetaData, String, Table
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    {{metadata}}


class Team(Base):
    __tablename__ = "{TEAMS}"
    id: Mapped[int] = mapped_column(primary_key=True)
    name_of_the_team_which_is_also_long: Mapped[str] = mapped_column(String(80), unique=True)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)


links = Table(
    "{LINKS}", Base.metadata,
    Column("member_identifier_in_the_link", ForeignKey("{MEMBERS}.id"), primary_key=True),
    Column("project_identifier_in_the_link", ForeignKey("projects.id"), primary_key=True),
)


class Member(Base):
    __tablename__ = "{MEMBERS}"
    id: Mapped[int] = mapped_column(primary_key=True)
    electronic_mail_address_of_the_member: Mapped[str] = mapped_column(String(200), unique=True)
    electronic_mail_address_of_the_member_backup: Mapped[str] = mapped_column(
        String(200), unique=True)
    given_name_of_the_member_as_written: Mapped[str] = mapped_column(String(100))
    family_name_of_the_member_as_written: Mapped[str] = mapped_column(String(100))
    team_identifier_of_the_member_record: Mapped[int | None] = mapped_column(
        ForeignKey("{TEAMS}.id"), index=True)
    score_of_the_member: Mapped[int] = mapped_column(default=0)
    projects: Mapped[list[Project]] = relationship(secondary=links)
    __table_args__ = (
        UniqueConstraint("given_name_of_the_member_as_written",
                         "family_name_of_the_member_as_written"),
        CheckConstraint("score_of_the_member >= 0"),
        Index("ix_member_score", "score_of_the_member"),
    )
'''
PLAIN = "pass"
CONVENTION = '''metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })'''


def _models(tmp_path: Path, metadata: str) -> Path:
    text = MODELS.replace("{metadata}", metadata)
    if metadata == CONVENTION:  # the convention's ck needs the check named
        text = text.replace('CheckConstraint("score_of_the_member >= 0")',
                            'CheckConstraint("score_of_the_member >= 0", name="score_not_negative")')
    path = tmp_path / "models.py"
    path.write_text(text, "utf-8")
    return path


def ir_names(ir: IR) -> set[str]:
    """Every constraint and index name the IR records."""
    names: set[str] = set()
    for entity in ir.entities.values():
        assert entity.primary_key is not None and entity.primary_key.name
        names.add(entity.primary_key.name)
        names |= {str(f.unique_name) for f in entity.fields if f.unique}
        for node in (*entity.uniques, *entity.indexes, *entity.checks, *entity.foreign_keys):
            assert node.name, node
            names.add(node.name)
    for join in ir.join_tables.values():
        assert join.primary_key_name or not join.primary_key
        names |= {n for n in (join.primary_key_name,) if n and join.primary_key}
        names |= {str(c.foreign_key_name) for c in join.columns}
        names |= set(join.unique_names) | set(join.index_names)
    return names


def postgres_names(url: str) -> set[str]:
    """Every constraint and index name in the database's public schema."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            constraints = connection.execute(sa.text(
                "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                "WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f', 'c')")).scalars()
            indexes = connection.execute(sa.text(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).scalars()
            return (set(constraints) | set(indexes)) - {"alembic_version_pkc"}  # migrate's own
    finally:
        engine.dispose()


def _import(path: Path) -> object:
    """The models, imported by real SQLAlchemy (the oracle; the compiler never imports them)."""
    spec = importlib.util.spec_from_file_location(f"names_oracle_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --- SQLAlchemy ---------------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.parametrize("metadata", [PLAIN, CONVENTION], ids=["database-defaults", "convention"])
def test_sqlalchemy_names_are_the_ones_postgresql_holds_after_create_all(
        tmp_path: Path, postgres_url: str, metadata: str) -> None:
    models = _models(tmp_path, metadata)
    _, result = compile_path(models)
    names = ir_names(result.ir)
    assert max(len(name.encode()) for name in names) <= 63
    module = _import(models)
    engine = sa.create_engine(postgres_url)
    try:
        module.Base.metadata.create_all(engine)  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    assert names == postgres_names(postgres_url)


def test_sqlalchemy_convention_names_are_shortened_as_its_ddl_compiler_does(
        tmp_path: Path) -> None:
    """SQLAlchemy's own DDL for PostgreSQL (no database needed) spells the convention's names."""
    models = _models(tmp_path, CONVENTION)
    _, result = compile_path(models)
    module = _import(models)
    ddl = "\n".join(
        str(statement.compile(dialect=sa.dialects.postgresql.dialect()))
        for table in module.Base.metadata.sorted_tables  # type: ignore[attr-defined]
        for statement in (sa.schema.CreateTable(table),
                          *(sa.schema.CreateIndex(index) for index in table.indexes)))
    spelled = set(re.findall(r'(?:CONSTRAINT|INDEX) "?(\w+)"?', ddl))
    assert spelled == ir_names(result.ir)
    member = result.ir.entities["Member"]
    shortened = [k.name for k in member.foreign_keys if k.name and len(k.name) == 60]
    assert shortened and re.fullmatch(r"fk_\w{52}_[0-9a-f]{4}", shortened[0])


def _only_diagnostic(tmp_path: Path, models: str) -> Diagnostic:
    """The one diagnostic that refuses ``models`` (written to a models.py)."""
    path = tmp_path / "models.py"
    path.write_text(models, "utf-8")
    with pytest.raises(CompileError) as raised:
        compile_path(path)
    [diagnostic] = raised.value.diagnostics
    return diagnostic


def test_an_explicit_sqlalchemy_name_too_long_for_postgresql_is_fb115_at_its_position(
        tmp_path: Path) -> None:
    long_name = "uq_" + "x" * 61
    text = MODELS.replace("{metadata}", PLAIN).replace(
        '"family_name_of_the_member_as_written"),',
        f'"family_name_of_the_member_as_written", name="{long_name}"),')
    diagnostic = _only_diagnostic(tmp_path, text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "UniqueConstraint(" in row)
    assert (diagnostic.code, diagnostic.line) == ("FB115", line)
    assert long_name in diagnostic.message and "63" in diagnostic.message


def test_postgresql_shortens_the_longer_part_first_and_numbers_a_name_taken() -> None:
    assert make_object_name("t", "c", "key") == "t_c_key"
    name = make_object_name("a" * 40, "b" * 40, "key")
    assert name == "a" * 29 + "_" + "b" * 29 + "_key" and len(name) == 63
    assert make_object_name("a" * 70, None, "pkey") == "a" * 58 + "_pkey"
    assert check_column(["score", "name"], "score >= 0 AND 'name' <> ''") == "score"
    assert check_column(["score", "name"], '"score" > length(name)') is None


# --- Prisma -----------------------------------------------------------------------------------

PRISMA = f'''
datasource db {{
  provider = "PROVIDER"
}}

model Team {{
  id                                  Int      @id
  name_of_the_team_which_is_also_long String   @unique
  members                             Member[]
  @@map("{TEAMS}")
}}

model Project {{
  id      Int      @id
  members Member[] @relation("{M2M}")
}}

model Member {{
  id                                    Int       @id @default(autoincrement())
  electronic_mail_address_of_the_member String    @unique
  given_name_of_the_member_as_written   String
  family_name_of_the_member_as_written  String
  team_identifier_of_the_member_record  Int?
  score_of_the_member                   Int       @default(0)
  team   Team?     @relation(fields: [team_identifier_of_the_member_record], references: [id])
  projects_the_member_takes_part_in_with_a_long_name Project[] @relation("{M2M}")
  @@unique([given_name_of_the_member_as_written, family_name_of_the_member_as_written])
  @@index([team_identifier_of_the_member_record])
  @@index([score_of_the_member], map: "member_score_idx")
  @@map("{MEMBERS}")
}}
'''


def _prisma(tmp_path: Path, provider: str, text: str = PRISMA) -> Path:
    path = tmp_path / "schema.prisma"
    path.write_text(text.replace("PROVIDER", provider), "utf-8")
    return path


def _engine_sql(node: str, provider: str, text: str) -> dict[str, str]:
    require_engines("prisma-schema-engine-wasm-7")
    request = {"schemas": [{"id": "names", "provider": provider,
                            "files": [["schema.prisma", text.replace("PROVIDER", provider)]]}]}
    completed = subprocess.run([node, str(DDL_ORACLE)], input=json.dumps(request), text=True,
                               capture_output=True, check=True, cwd=ROOT)
    [answer] = json.loads(completed.stdout)
    return dict(answer)


def engine_names(sql: str) -> set[str]:
    return set(re.findall(r'(?:CONSTRAINT|INDEX) "(\w+)"', sql))


@pytest.mark.parametrize("provider", ["postgresql", "sqlite"])
def test_prisma_names_are_the_ones_its_schema_engine_writes(
        tmp_path: Path, node: str, provider: str) -> None:
    _, result = compile_path(_prisma(tmp_path, provider))
    answer = _engine_sql(node, provider, PRISMA)
    assert answer["ok"], answer
    engine = engine_names(answer["sql"])
    names = ir_names(result.ir)
    if provider == "sqlite":  # Prisma's SQLite tables name no primary key
        names -= {e.primary_key.name for e in result.ir.entities.values() if e.primary_key}
    assert names == engine
    tables = set(re.findall(r'CREATE TABLE "(\w+)"', answer["sql"]))
    assert tables == {e.table for e in result.ir.entities.values()} | set(result.ir.join_tables)
    if provider == "postgresql":
        assert max(len(name.encode()) for name in names) <= 63
        assert any(len(name) == 63 for name in names)


def test_a_prisma_map_name_too_long_is_refused_as_prisma_refuses_it(
        tmp_path: Path, node: str) -> None:
    long_map = "member_" + "x" * 60
    text = PRISMA.replace('map: "member_score_idx"', f'map: "{long_map}"')
    answer = _engine_sql(node, "postgresql", text)
    assert not answer["ok"] and "too long" in answer["message"]
    with pytest.raises(CompileError) as raised:
        compile_path(_prisma(tmp_path, "postgresql", text))
    [diagnostic] = raised.value.diagnostics
    line = next(n for n, row in enumerate(text.splitlines(), 1) if long_map in row)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("FB205", line, 3)
    assert "maximum allowed length is 63 bytes" in diagnostic.message
    # SQLite has no such limit: the same name compiles there, as Prisma accepts it.
    _, result = compile_path(_prisma(tmp_path, "sqlite", text))
    assert long_map in ir_names(result.ir)


# --- the runtime: migrate and serve on SQLite and PostgreSQL --------------------------------------


@pytest.mark.parametrize("language", ["sqlalchemy", "prisma"])
def test_long_names_migrate_and_serve_and_a_unique_violation_names_its_fields(
        tmp_path: Path, database_url: str, language: str) -> None:
    source = (_models(tmp_path, PLAIN) if language == "sqlalchemy"
              else _prisma(tmp_path, "postgresql"))
    _, result = compile_path(source)
    migrated = CliRunner().invoke(cli, ["migrate", str(source), "--database-url", database_url,
                                        "--apply"], catch_exceptions=False)
    assert migrated.exit_code == 0, migrated.output
    if database_url.startswith("postgresql"):
        assert postgres_names(database_url) == ir_names(result.ir)
    ir_file = tmp_path / "ir.json"
    ir_file.write_text(dumps(result.ir), "utf-8")
    with TestClient(create_app(ir_file, database_url=database_url, custom_path=None)) as client:
        path = result.ir.entities["Member"].api.path
        body = {"electronic_mail_address_of_the_member": "a@x.io",
                "given_name_of_the_member_as_written": "Ada",
                "family_name_of_the_member_as_written": "Lovelace"}
        if language == "sqlalchemy":
            body["electronic_mail_address_of_the_member_backup"] = "a2@x.io"
        assert client.post(path, json=body).status_code == 201, client.post(path, json=body).text
        changed = {"given_name_of_the_member_as_written": "Bea"}
        if language == "sqlalchemy":
            changed["electronic_mail_address_of_the_member_backup"] = "c@x.io"
        again = client.post(path, json={**body, **changed})
        assert again.status_code == 409, again.text
        assert [e["pointer"] for e in again.json()["errors"]] == [
            "/electronic_mail_address_of_the_member"]
        twin = {**body, "electronic_mail_address_of_the_member": "b@x.io"}
        if language == "sqlalchemy":
            twin["electronic_mail_address_of_the_member_backup"] = "b2@x.io"
        both = client.post(path, json=twin)
        assert both.status_code == 409, both.text
        assert sorted(e["pointer"] for e in both.json()["errors"]) == [
            "/family_name_of_the_member_as_written", "/given_name_of_the_member_as_written"]


def test_two_prisma_names_alike_once_cut_are_refused_as_prisma_refuses_them(
        tmp_path: Path, node: str) -> None:
    model = "AVeryLongModelNameThatGoesOnAndOnForeverAndEverAndEverX"
    text = ('datasource db {\n  provider = "PROVIDER"\n}\n'
            f"model {model} {{\n  id Int @id\n  aLongColumnNameNumberOne Int\n"
            "  aLongColumnNameNumberTwo Int\n  @@index([aLongColumnNameNumberOne])\n"
            "  @@index([aLongColumnNameNumberTwo])\n}\n")
    answer = _engine_sql(node, "postgresql", text)
    clash = f"{model}_aLo_idx"
    assert not answer["ok"] and f"`{clash}` has to be unique" in answer["message"]
    with pytest.raises(CompileError) as raised:
        compile_path(_prisma(tmp_path, "postgresql", text))
    assert [(d.code, d.line) for d in raised.value.diagnostics] == [("FB205", 8), ("FB205", 9)]
    assert all(f"`{clash}`" in d.message for d in raised.value.diagnostics)


def test_an_explicit_name_too_long_on_an_association_table_is_fb115_too(tmp_path: Path) -> None:
    long_name = "fk_" + "y" * 61
    text = MODELS.replace("{metadata}", PLAIN).replace(
        f'ForeignKey("{MEMBERS}.id"), primary_key=True',
        f'ForeignKey("{MEMBERS}.id", name="{long_name}"), primary_key=True')
    diagnostic = _only_diagnostic(tmp_path, text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if long_name in row)
    assert (diagnostic.code, diagnostic.line) == ("FB115", line)
