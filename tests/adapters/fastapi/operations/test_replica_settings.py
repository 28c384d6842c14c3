"""`operations.replicas` (DATABASE_REPLICA_URLS): read from the file or the environment, the
bounds that read-your-writes depends on checked at start-up, and a database that cannot report
replication positions refused. The routing itself runs on a real standby:
tests/reliability/test_replicas.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastbackend_contract.config import ConfigError, Section, parse
from fastbackend_fastapi import create_app
from fastbackend_fastapi.operations.config import Operations, from_section, replica_urls
from tests.adapters.fastapi.conftest import BLOG


def read(text: str, environ: dict[str, str] | None = None) -> Operations:
    return from_section(Section(parse(text), (), environ or {}).child("operations"))


def test_no_replica_by_default() -> None:
    assert replica_urls(read("")) == []


def test_the_urls_come_from_the_variable_or_the_file() -> None:
    text = "operations:\n  replicas:\n    urls: postgresql://r1/db, postgresql://r2/db\n"
    assert replica_urls(read(text)) == ["postgresql://r1/db", "postgresql://r2/db"]
    found = read(text, {"DATABASE_REPLICA_URLS": "postgresql://${X}@r3/db"})
    assert replica_urls(found) == ["postgresql://${X}@r3/db"]  # a variable's text is as set
    secret = "operations:\n  replicas:\n    urls: postgresql://app:${PASSWORD}@r1/db\n"
    assert replica_urls(read(secret, {"PASSWORD": "s3cret"})) == ["postgresql://app:s3cret@r1/db"]


@pytest.mark.parametrize(("replicas", "key", "says"), [
    ("max_lag_seconds: 0.5\n    check_interval_seconds: 0.5", "max_lag_seconds",
     "above check_interval_seconds"),
    ("max_lag_seconds: 10\n    read_your_writes_seconds: 5", "read_your_writes_seconds",
     "at least max_lag_seconds"),
])
def test_bounds_that_break_read_your_writes_stop_the_server(replicas: str, key: str,
                                                           says: str) -> None:
    text = f"operations:\n  replicas:\n    {replicas}\n"
    with pytest.raises(ConfigError, match=says) as raised:
        read(text)
    assert raised.value.code == "FB402"
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.strip().startswith(key))
    assert raised.value.line == line


def test_a_database_without_replication_positions_refuses_replicas(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "fastbackend.yaml").write_text(
        "operations:\n  replicas:\n    urls: sqlite:///replica.db\n")
    with pytest.raises(ValueError, match=r"read replicas .* are not supported on sqlite"):
        create_app(BLOG, database_url=f"sqlite:///{tmp_path / 'app.db'}", custom_path=None,
                   project_path=project)
