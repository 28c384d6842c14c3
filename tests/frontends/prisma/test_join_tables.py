"""Implicit many-to-many tables as Prisma's own schema engine creates them (tests/frontends/prisma/
prisma_ddl.mjs runs the engine behind `prisma migrate diff`): the IR's join tables must have the
engine's name, schema, columns and their references, its key (a primary key on PostgreSQL, a
unique index on CockroachDB and SQLite), its index on B and its cascades.

Schemas: every corpus and real schema on those three providers with an implicit many-to-many
relation, and one generated schema per provider with plain, named, self and multi-schema ones.
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest

from fastbackend.frontends.prisma import compile_texts
from fastbackend_ir import IR
from tests.frontends.prisma.corpus import ROOT, Case, load_cases, load_real_cases, require_engines

pytestmark = [pytest.mark.node, pytest.mark.slow]

PROVIDERS = ("postgresql", "cockroachdb", "sqlite")
DDL_ORACLE = ROOT / "tests" / "frontends" / "prisma" / "prisma_ddl.mjs"
_PROVIDER = re.compile(r'provider\s*=\s*"(\w+)"')
_URLS = re.compile(r"^[ \t]*(url|directUrl|shadowDatabaseUrl)\s*=.*$", re.MULTILINE)
_RETIRED = re.compile(r'"metrics",?\s*')  # a Prisma 6 preview feature the Prisma 7 engine refuses

GENERATED = """datasource db {{
  provider = "{provider}"
}}

model Post {{
  id    BigInt @id
  tags  Tag[]
  likes User[] @relation("likes")
}}

model Tag {{
  id    String @id @map("tag_id")
  posts Post[]

  @@map("tags")
}}

model User {{
  id        BigInt @id
  liked     Post[] @relation("likes")
  following User[] @relation("follows")
  followers User[] @relation("follows")
}}
"""


def _cases() -> list[tuple[Case, IR]]:
    """Each schema with its IR: the generated ones, and the corpus's with a join table."""
    candidates = [Case(f"generated-{p}", {"schema.prisma": GENERATED.format(provider=p)})
                  for p in PROVIDERS]
    for case in load_cases("valid") + load_real_cases():
        providers = {m for text in case.files.values() for m in _PROVIDER.findall(text)}
        if providers & set(PROVIDERS):
            candidates.append(case)
    compiled = [(case, compile_texts(case.files).ir) for case in candidates]
    return [(case, ir) for case, ir in compiled if ir.join_tables]


def _provider(ir: IR) -> str:
    assert ir.database is not None
    return ir.database.provider


def _creation_scripts(node: str, cases: list[Case], irs: dict[str, IR]) -> dict[str, Any]:
    require_engines("prisma-schema-engine-wasm-7")
    # The Prisma 7 engine refuses datasource URLs and a retired preview feature; the tables do not
    # depend on them.
    request = {"schemas": [
        {"id": c.id, "provider": _provider(irs[c.id]),
         "files": sorted((name, _RETIRED.sub("", _URLS.sub("", text)))
                         for name, text in c.files.items())}
        for c in cases]}
    completed = subprocess.run([node, str(DDL_ORACLE)], input=json.dumps(request), text=True,
                               capture_output=True, check=True, cwd=ROOT)
    return {item["id"]: item for item in json.loads(completed.stdout)}


_TABLE = re.compile(r'CREATE TABLE "(?:(\w+)"\.")?(_\w+)" \((.*?)\n\);', re.DOTALL)
_FOREIGN_KEY = re.compile(r'FOREIGN KEY \("(A|B)"\) REFERENCES "(?:\w+"\.")?(\w+)" ?\("(\w+)"\) '
                          r"ON DELETE (\w+) ON UPDATE (\w+)")


def engine_join_tables(sql: str) -> dict[str, Any]:
    """Each `_<Relation>` table of the engine's script: schema, key, index on B, references."""
    found = {}
    for schema, table, body in _TABLE.findall(sql):
        quoted = re.escape(f'"{table}"')
        found[table] = {
            "schema": schema or None,
            "key": "primaryKey" if re.search(r'PRIMARY KEY \("A", ?"B"\)', body) else (
                "unique" if re.search(rf'CREATE UNIQUE INDEX "\w+" ON (?:"\w+"\.)?{quoted}'
                                      r'\("A", ?"B"\)', sql) else None),
            "indexOnB": bool(re.search(rf'CREATE INDEX "\w+" ON (?:"\w+"\.)?{quoted}\("B"\)',
                                       sql)),
            "references": sorted(
                [column, target, field, delete.lower(), update.lower()]
                for column, target, field, delete, update in _FOREIGN_KEY.findall(
                    _statements_about(sql, table))),
        }
    return found


def _statements_about(sql: str, table: str) -> str:
    return "\n".join(s for s in sql.split(";") if f'"{table}"' in s)


def ir_join_tables(ir: IR) -> dict[str, Any]:
    found = {}
    for table in ir.join_tables.values():
        references = []
        for column in table.columns:
            entity = ir.entity(column.references.entity)
            field = next(f for f in entity.fields if f.name == column.references.field)
            references.append([column.name, entity.table, field.column,
                               (column.on_delete or "").lower(), (column.on_update or "").lower()])
        found[table.table] = {
            "schema": table.schema if _provider(ir) != "sqlite" else None,
            "key": "primaryKey" if table.primary_key == ("A", "B") else (
                "unique" if ("A", "B") in table.uniques else None),
            "indexOnB": ("B",) in table.indexes,
            "references": sorted(references),
        }
    return found


def test_join_tables_are_the_schema_engines(node: str) -> None:
    compiled = _cases()
    cases = [case for case, _ir in compiled]
    irs = {case.id: ir for case, ir in compiled}
    scripts = _creation_scripts(node, cases, irs)
    assert [c.id for c in cases if not scripts[c.id]["ok"]] == []
    different = {}
    for case in cases:
        theirs = engine_join_tables(scripts[case.id]["sql"])
        ours = ir_join_tables(irs[case.id])
        if theirs != ours:
            different[case.id] = (theirs, ours)
    assert different == {}
    assert sum(len(irs[c.id].join_tables) for c in cases) >= 12
    # Every provider's key choice was put to the engine.
    assert {_provider(irs[c.id]) for c in cases} == set(PROVIDERS)
