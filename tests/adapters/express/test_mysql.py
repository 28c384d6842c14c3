"""The Express project for MySQL / MariaDB: decided once from the IR's datasource (dialect.py).

What a MySQL project's files say differently; that it serves the contract on MariaDB is the
parity suite's `blog_mysql` run (test_parity.py), a SQLAlchemy project that chose MariaDB in its
fastbackend.yaml (harness.py).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from fastbackend_express import render_project
from fastbackend_ir import Database, IRError
from tests.adapters.express.harness import load_ir, render


def test_a_mysql_datasource_gives_a_mysql_project() -> None:
    files = render("blog_mysql")
    schema = files["prisma/schema.prisma"]
    assert 'provider = "mysql"' in schema and "postgresql" not in schema
    assert '@id @default(autoincrement())' in schema  # MySQL's primary key is always PRIMARY
    assert "@db.DateTime(6)" in schema and "@db.VarChar(200)" in schema
    assert "Timestamptz" not in schema
    assert 'import { PrismaMariaDb } from "@prisma/adapter-mariadb";' in files["src/db.ts"]
    assert "adapter-pg" not in files["src/db.ts"]
    assert 'export const DATABASE: "postgresql" | "mysql" = "mysql";' in files["src/meta.ts"]
    assert 'Post: "`posts`",' in files["src/meta.ts"]
    router = files["src/routes/post.ts"]
    assert "SELECT 1 FROM \\`posts\\` WHERE \\`id\\` = ? FOR UPDATE" in router
    assert ".updateManyAndReturn(" not in router  # MySQL has no UPDATE ... RETURNING
    assert '"@prisma/adapter-mariadb": "7.10.0"' in files["package.json"]


def test_blog_mysql_is_the_sqlalchemy_project_that_chose_mariadb() -> None:
    """What the parity suite serves on MariaDB as `blog_mysql` is a SQLAlchemy project's IR,
    compiled with `database: {provider: mariadb}`: the golden blog IR but for the datasource."""
    assert load_ir("blog_mysql") == replace(load_ir("blog"), database=Database(provider="mysql"))


def test_a_postgresql_project_is_unchanged_by_the_choice() -> None:
    files = render("blog")
    assert 'provider = "postgresql"' in files["prisma/schema.prisma"]
    assert "PrismaPg" in files["src/db.ts"] and "PrismaMariaDb" not in files["src/db.ts"]
    assert "= $1::integer FOR UPDATE" in files["src/routes/post.ts"]
    assert ".updateManyAndReturn(" in files["src/routes/post.ts"]


def test_a_list_field_is_refused_on_mysql_naming_it() -> None:
    ir = replace(load_ir("implicit"), database=Database(provider="mysql"))
    with pytest.raises(IRError) as raised:
        render_project(ir)
    assert "is a list: Prisma's mysql connector has no scalar lists" in str(raised.value)
    render_project(load_ir("implicit"))  # served on PostgreSQL
