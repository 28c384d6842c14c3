"""SQL defaults on the Express server as on the FastAPI runtime (issue 27, item 9;
tests/adapters/fastapi/test_database_refusals.py): one rule for both, fastbackend_ir.sqldefaults.

A uuid function's value (`dbgenerated("gen_random_uuid()")`) is made by the application, so a
create works on a database whose table has no such default (a PostgreSQL schema's database
made elsewhere, as on SQLite for the runtime). Any other SQL default is the database's to run:
the server evaluates each once at start-up and refuses to start (exit 2, naming the column)
when the database cannot, rather than failing every insert.

One project, two databases: on the first, `fb_code()` exists; on the second it does not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastbackend.pipeline import compile_path
from fastbackend_express import render_project
from tests import local_http
from tests.adapters.express.harness import PRISMA_OFFLINE, run, write_project
from tests.adapters.express.library import LibraryBuild, compile_project
from tests.adapters.express.servers import STARTUP_SECONDS, _free_port, _stop, _wait_until_listening
from tests.services import temporary_postgres_database

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

SCHEMA = """datasource db {
  provider = "postgresql"
}

model Token {
  id    String @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid
  label String
  code  String @default(dbgenerated("fb_code()"))
}
"""
# The table as a database not made from this schema's SQL has it: no uuid default on the key.
TABLE = 'CREATE TABLE "Token" (id uuid PRIMARY KEY, label text NOT NULL, code text NOT NULL{default})'
FUNCTION = "CREATE FUNCTION fb_code() RETURNS text LANGUAGE sql AS $$ SELECT 'made by sql' $$"


@dataclass
class Project:
    folder: Path
    stack: ExitStack

    def start(self, database_url: str) -> subprocess.Popen[bytes]:
        port = _free_port()
        log = self.folder / f"server-{port}.log"
        env = {"PATH": os.environ.get("PATH", ""), "PORT": str(port), "HOST": "127.0.0.1",
               "DATABASE_URL": database_url.replace("+psycopg", "", 1)}
        with log.open("w") as output:
            process = subprocess.Popen([shutil.which("node") or "node", "dist/server.js"],
                                       cwd=self.folder, stdout=output, stderr=subprocess.STDOUT, env=env)
        self.stack.callback(_stop, process)
        process.port = port  # type: ignore[attr-defined]
        process.log = log  # type: ignore[attr-defined]
        return process


@pytest.fixture(scope="module")
def project(express_node_modules: Path, express_library: LibraryBuild,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    folder = tmp_path_factory.mktemp("sql-defaults")
    source = folder / "source" / "schema.prisma"
    source.parent.mkdir()
    source.write_text(SCHEMA, "utf-8")
    ir = compile_path(source)[1].ir
    assert ir is not None
    server = write_project(render_project(ir), folder / "server")
    (server / "node_modules").symlink_to(express_node_modules, target_is_directory=True)
    run([str(express_node_modules / ".bin" / "prisma"), "generate"], server, PRISMA_OFFLINE)
    compile_project(server, express_node_modules, express_library)
    with ExitStack() as stack:
        yield Project(server, stack)


def _database(stack: ExitStack, statements: list[str]) -> str:
    url = stack.enter_context(temporary_postgres_database())
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    engine.dispose()
    return url


def test_a_uuid_functions_value_is_made_by_the_application(project: Project) -> None:
    url = _database(project.stack, [FUNCTION, TABLE.format(default=" DEFAULT fb_code()")])
    server = project.start(url)
    base = f"http://127.0.0.1:{server.port}"  # type: ignore[attr-defined]
    _wait_until_listening(base, server, server.log, healthy=True)  # type: ignore[attr-defined]
    with local_http.client(base_url=base, timeout=30) as client:
        created = client.post("/tokens", json={"label": "a"})
        assert created.status_code == 201, created.text
        token = created.json()
        assert uuid.UUID(token["id"]).version == 4
        assert token["code"] == "made by sql"  # the database's default, which it can run
        bulk = client.post("/tokens/bulk", json=[{"label": "b"}, {"label": "c"}])
        assert bulk.status_code == 201, bulk.text
        ids = {row["id"] for row in bulk.json()}
        assert len(ids) == 2 and token["id"] not in ids
        assert client.get(f"/tokens/{token['id']}").json()["label"] == "a"


def test_a_sql_default_the_database_cannot_run_refuses_to_start(project: Project) -> None:
    url = _database(project.stack, [TABLE.format(default="")])  # no fb_code() here
    server = project.start(url)
    try:
        status = server.wait(timeout=STARTUP_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail("the server started on a database that cannot run its SQL default")
    log = server.log.read_text()  # type: ignore[attr-defined]
    assert status == 2, log
    assert "error: the schema's SQL defaults do not run on postgresql" in log
    assert "Token.code DEFAULT fb_code()" in log and "fb_code() does not exist" in log
    assert "DATABASE_URL" in log
    assert "gen_random_uuid" not in log  # the application makes that one
    assert "    at " not in log  # a message, not a stack trace
