"""Uvicorn servers in subprocesses on loopback, always stopped, and the databases they share."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN = os.environ.get("FASTBACKEND_TEST_POSTGRES",
                                "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(target: str, env: dict[str, str], factory: bool = False,
           ready_path: str = "/posts/1") -> Iterator[str]:
    """Run `uvicorn target` (one worker) and yield its base URL; stop it afterwards."""
    with started(target, env, factory, ready_path) as (_, base_url):
        yield base_url


@contextmanager
def started(target: str, env: dict[str, str], factory: bool = False,
            ready_path: str = "/posts/1") -> Iterator[tuple[int, str]]:
    """`server`, yielding the process id too (benchmarks/runtime_cpu.py reads its CPU time)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port",
               str(port), "--log-level", "warning", "--no-access-log"]
    if factory:
        command.append("--factory")
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    with running(process, f"http://127.0.0.1:{port}", ready_path) as base_url:
        yield process.pid, base_url


@contextmanager
def running(process: subprocess.Popen[bytes], base_url: str, ready_path: str) -> Iterator[str]:
    """Yield ``base_url`` once ``process`` answers ``ready_path``; stop the process afterwards."""
    try:
        _wait_ready(base_url + ready_path, process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not become ready")


def postgres_available() -> bool:
    import psycopg

    try:
        psycopg.connect(POSTGRES_ADMIN, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"fbbench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://",
                                                       1) + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


MARIADB_ADMIN = os.environ.get("FASTBACKEND_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")


def _mariadb_admin() -> Any:
    import pymysql
    import sqlalchemy as sa

    url = sa.make_url(MARIADB_ADMIN)
    return pymysql.connect(host=url.host or "127.0.0.1", port=url.port or 3306,
                           user=url.username or "root", password=url.password or "",
                           connect_timeout=3, autocommit=True)


def mariadb_available() -> bool:
    import pymysql

    try:
        _mariadb_admin().close()
    except pymysql.err.OperationalError:
        return False
    return True


@contextmanager
def mariadb_database() -> Iterator[str]:
    import sqlalchemy as sa

    name = f"fbbench_{uuid.uuid4().hex[:10]}"
    admin = _mariadb_admin()
    admin.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    admin.close()
    try:
        yield sa.make_url(MARIADB_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = _mariadb_admin()
        admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()
