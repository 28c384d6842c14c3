"""A real PgBouncer in transaction mode, started by the test in front of the test PostgreSQL.

Debian's package (`make setup` installs it in CI: the Makefile's `pgbouncer` target); without
it the test skips with the reason, and fails when FASTBACKEND_REQUIRE_SERVICES=1. PgBouncer
refuses to run as root, so as root it runs as the postgres user. Its pool is smaller than the
runtime's, so transactions of one client connection really do move between server sessions.

    with pgbouncer(database_url) as bouncer:
        bouncer.url      # the same database, through PgBouncer
        bouncer.admin()  # SHOW ... on its console
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa

from tests.reliability.pgcluster import OS_USER, _free_port
from tests.reliability.pgreplica import wait_for
from tests.services import unavailable

SERVER_CONNECTIONS = 3  # default_pool_size: fewer than the runtime's pool (10)
CONFIG = """\
[databases]
* = host={host} port={port} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = {pool}
; each transaction goes to the server session idle the longest, so what a client leaves in
; one session is missed on its very next transaction, not only when load happens to interleave
server_round_robin = 1
max_client_conn = 500
admin_users = {user}
ignore_startup_parameters = extra_float_digits
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


def executable() -> str | None:
    return shutil.which("pgbouncer") or next(
        (str(p) for p in (Path("/usr/sbin/pgbouncer"),) if p.exists()), None)


@dataclass
class Bouncer:
    url: str  # the database's SQLAlchemy URL, through PgBouncer
    port: int
    user: str
    folder: Path

    def admin(self, command: str) -> list[dict[str, object]]:
        """A command on PgBouncer's console (its `pgbouncer` database)."""
        with psycopg.connect(host="127.0.0.1", port=self.port, dbname="pgbouncer",
                             user=self.user, autocommit=True, prepare_threshold=None) as c:
            cursor = c.execute(command)
            names = [column.name for column in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def log_tail(self) -> str:
        try:
            return (self.folder / "pgbouncer.log").read_text("utf-8", "replace")[-2000:]
        except OSError:
            return "(no log)"


@contextmanager
def pgbouncer(database_url: str) -> Iterator[Bouncer]:
    program = executable()
    if program is None:
        unavailable("pgbouncer is not installed (make setup installs it in CI; "
                    "apt-get install -y pgbouncer)")
    assert program is not None
    target = sa.make_url(database_url)
    folder = Path(tempfile.mkdtemp(prefix="fbpgb-"))
    as_root = os.geteuid() == 0  # PgBouncer refuses to run as root
    if as_root:
        shutil.chown(folder, OS_USER, OS_USER)
    port = _free_port()
    user = target.username or "postgres"
    (folder / "pgbouncer.ini").write_text(CONFIG.format(
        host=target.host or "127.0.0.1", port=target.port or 5432, user=user, listen=port,
        pool=SERVER_CONNECTIONS, folder=folder))
    command = [program, str(folder / "pgbouncer.ini")]
    process = subprocess.Popen(["runuser", "-u", OS_USER, "--", *command] if as_root else command,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
    bouncer = Bouncer(target.set(host="127.0.0.1", port=port).render_as_string(False), port,
                      user, folder)
    try:
        wait_for(lambda: process.poll() is not None or _answers(bouncer),
                 "PgBouncer to accept connections", 20)
        if process.poll() is not None:
            raise AssertionError(f"pgbouncer exited ({process.returncode}): {bouncer.log_tail()}")
        yield bouncer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _answers(bouncer: Bouncer) -> bool:
    try:
        bouncer.admin("SHOW VERSION")
    except psycopg.OperationalError:
        return False
    return True
