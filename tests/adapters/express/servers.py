"""Emitted Express servers for HTTP tests: built once per IR per session, on PostgreSQL.

Tables are created by `fastbackend migrate` from the same IR, as a user would; between tests
every table is emptied and its sequences reset.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa
from click.testing import CliRunner

from fastbackend.cli.main import cli
from tests import local_http
from tests.adapters.express.builds import Builds
from tests.adapters.express.harness import ON_MYSQL, ir_path, step
from tests.services import temporary_mariadb_database, temporary_postgres_database

STARTUP_SECONDS = 30

# Views the database defines (migrate creates tables only, as the docs say), per IR.
VIEWS: dict[str, str] = {
    "views": "CREATE VIEW author_stats AS SELECT a.id AS author_id, count(b.id)::int AS books, "
             "coalesce(sum(b.pages), 0)::int AS total_pages FROM authors a "
             "LEFT JOIN books b ON b.author_id = a.id GROUP BY a.id",
}


@dataclass
class Server:
    url: str
    database_url: str
    engine: sa.Engine
    tables: tuple[str, ...]
    project: Path

    def reset(self) -> None:
        if self.engine.dialect.name in ("mysql", "mariadb"):  # TRUNCATE one table at a time
            with self.engine.begin() as connection:
                connection.execute(sa.text("SET FOREIGN_KEY_CHECKS = 0"))
                for name in self.tables:
                    connection.execute(sa.text(f"TRUNCATE TABLE `{name}`"))
                connection.execute(sa.text("SET FOREIGN_KEY_CHECKS = 1"))
            return
        names = ", ".join(".".join(f'"{part}"' for part in name.split(".")) for name in self.tables)
        with self.engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

    def client(self) -> httpx.Client:
        return local_http.client(base_url=self.url, timeout=30)


@dataclass
class Servers:
    """Starts a server per IR name on first use; stops them all at the end of the session."""

    builds: Builds  # node_modules, the library and the projects, built ahead (builds.py)
    folder: Path
    started: dict[str, Server] = field(default_factory=dict)
    second: dict[str, Server] = field(default_factory=dict)
    failed: dict[str, BaseException] = field(default_factory=dict)
    stack: ExitStack = field(default_factory=ExitStack)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def get(self, name: str) -> Server:
        """The running server of IR ``name``; a server that failed to start fails every test."""
        if name in self.failed:
            raise self.failed[name]
        if name not in self.started:
            try:
                self.started[name] = self._start(name)
            except BaseException as error:
                self.failed[name] = error
                raise
        return self.started[name]

    def second_instance(self, name: str) -> Server:
        """Another server process on the same project and database (as a second worker)."""
        if name not in self.second:
            self.second[name] = self.another_instance(name)
        return self.second[name]

    def another_instance(self, name: str, environment: dict[str, str] | None = None) -> Server:
        """A new server process of IR ``name`` on the same database, with more environment
        variables (``FASTBACKEND_CURSOR_SECRET``); stopped at the end of the session."""
        first = self.get(name)
        url = self._launch(first.project, _node_url(first.database_url), environment=environment)
        return Server(url, first.database_url, first.engine, first.tables, first.project)

    def _start(self, name: str) -> Server:
        with step(f"waiting for the build of {name}"):
            project = self.builds.project(name)
        with step(f"database for {name}"):
            database_url = self.stack.enter_context(temporary_mariadb_database() if name in ON_MYSQL
                                                    else temporary_postgres_database())
        engine = sa.create_engine(database_url)
        self.stack.callback(engine.dispose)
        with step(f"migrate {name}"):
            migrate(ir_path(name), database_url, self.folder / f"{name}-migrations")
        if name in VIEWS:
            with engine.begin() as connection:
                connection.execute(sa.text(VIEWS[name]))
        url = self._launch(project, _node_url(database_url))
        return Server(url, database_url, engine, _tables(engine), project)

    def unreachable_database(self, name: str) -> str:
        """The URL of another server process of IR ``name`` whose database does not answer."""
        project = self.get(name).project
        return self._launch(project, "postgresql://nobody@127.0.0.1:1/none", healthy=False)

    def _launch(self, project: Path, database_url: str, healthy: bool = True,
                environment: dict[str, str] | None = None) -> str:
        port = _free_port()
        log = (project / f"server-{port}.log").open("w")
        self.stack.callback(log.close)
        node = shutil.which("node") or "node"
        env = {"PATH": os.environ.get("PATH", ""), "PORT": str(port), "HOST": "127.0.0.1",
               "DATABASE_URL": database_url, **(environment or {})}
        process = subprocess.Popen([node, *start_command(project)[1:]], cwd=project, stdout=log,
                                   stderr=subprocess.STDOUT, env=env)
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        with step(f"server start (until /healthz) of {project.name}"):
            _wait_until_listening(url, process, project / f"server-{port}.log", healthy)
        return url

    def close(self) -> None:
        """Every server told to stop at once, then waited for (each takes a while to stop: one
        after another, the group's twenty-odd took 15 s), then their databases given back."""
        try:
            with step(f"stopping {len(self.processes)} servers"):
                for process in self.processes:
                    process.terminate()
                for process in self.processes:
                    _stop(process)
        finally:
            with step("giving their databases back"):
                self.stack.close()


def migrate(ir_path: Path, database_url: str, folder: Path) -> None:
    """`fastbackend migrate IR --apply`: every table of the IR, from the IR alone."""
    folder.mkdir(parents=True, exist_ok=True)
    ir_copy = Path(shutil.copy(ir_path, folder / ir_path.name))  # .fastbackend/ goes beside it
    result = CliRunner().invoke(cli, ["migrate", str(ir_copy), "--apply", "-q", "--database-url",
                                      database_url, "--directory", str(folder / "migrations")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


def start_command(project: Path) -> list[str]:
    """`npm start`'s command (node with the instrumentation loaded first), without npm: npm
    does not pass a stop signal on to node."""
    manifest = json.loads((project / "package.json").read_text("utf-8"))
    command: list[str] = manifest["scripts"]["start"].split()
    assert command[0] == "node", command
    return command


def _node_url(database_url: str) -> str:
    """The URL the Express server takes: SQLAlchemy's, without the Python driver's name."""
    return database_url.replace("+psycopg", "", 1).replace("+pymysql", "", 1)


def _tables(engine: sa.Engine) -> tuple[str, ...]:
    """Every table migrate created (Alembic's own left out), schema-qualified outside public."""
    inspector = sa.inspect(engine)
    found = []
    for schema in inspector.get_schema_names():
        if schema in ("information_schema", "pg_catalog", "mysql", "performance_schema", "sys") \
                or schema.startswith("pg_") or (schema != engine.url.database
                                                and engine.dialect.name in ("mysql", "mariadb")):
            continue
        prefix = "" if schema in ("public", engine.url.database) else f"{schema}."
        found += [prefix + table for table in inspector.get_table_names(schema)
                  if table != "alembic_version"]
    return tuple(sorted(found))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_listening(url: str, process: subprocess.Popen[bytes], log: Path, healthy: bool) -> None:
    """Until /healthz answers (200 when ``healthy``, anything otherwise)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited:\n{log.read_text()}")
        try:
            if local_http.get(f"{url}/healthz", timeout=5).status_code == 200 or not healthy:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"the server did not answer within {STARTUP_SECONDS}s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def clients(server: Server) -> Iterator[httpx.Client]:
    server.reset()
    with server.client() as client:
        yield client
