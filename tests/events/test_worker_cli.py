"""`fastbackend worker` refuses to run with nothing to deliver or a missing secret (exit 2, the
message naming why), never a silent no-op."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import run
from tests.events.conftest import compile_project

CONFIG = """
events:
  destinations:
    hooks: {type: webhook, url: "http://127.0.0.1:9/h", secret_env: WORKER_TEST_SECRET}
  models:
    Note: {hooks: all}
"""


def test_a_project_without_events_is_refused(tmp_path: Path) -> None:
    project = compile_project(tmp_path / "p", "").parent.parent
    code, _, stderr = run("worker", str(project))
    assert code == 2 and "the IR has no events" in stderr


def test_a_missing_secret_is_refused_by_name(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKER_TEST_SECRET", raising=False)
    project = compile_project(tmp_path / "p", CONFIG).parent.parent
    code, _, stderr = run("worker", str(project), "--database-url",
                          f"sqlite:///{tmp_path / 'app.db'}")
    assert code == 2
    assert "'hooks': the environment variable WORKER_TEST_SECRET" in stderr


def test_the_secret_may_come_from_dot_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As `${VAR}` does: .env beside fastbackend.yaml, the environment winning."""
    from fastbackend_fastapi import create_app

    monkeypatch.delenv("WORKER_TEST_SECRET", raising=False)
    ir = compile_project(tmp_path / "p", CONFIG)
    (ir.parent.parent / ".env").write_text(
        "WORKER_TEST_SECRET=whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n")
    app = create_app(ir, database_url=f"sqlite:///{tmp_path / 'app.db'}", custom_path=None)
    assert app.state.runtime.database.on_commit is not None  # the worker was built
    app.state.runtime.database.engine.dispose()
    app.state.runtime.database.executor.shutdown()
