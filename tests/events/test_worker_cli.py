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
