"""A new project's first hour (issue #28): what git keeps of it, the hints that say to stage
the compiled outputs, fastbackend.yaml's pointer to the docs, and a busy port for `dev`."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.cli.helpers import commit_all, git, new_repo, run


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`fastbackend init notes` in a git repository, compiled; the current folder."""
    repo = new_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    assert run("init", "notes", "-q")[0] == 0
    monkeypatch.chdir(repo / "notes")
    assert run("compile", "-q")[0] == 0
    return repo / "notes"


def test_git_keeps_the_compiled_outputs_and_ignores_only_the_dev_database(project: Path) -> None:
    assert run("migrate", "--apply", "-q")[0] == 0
    engine = sa.create_engine(f"sqlite:///{project / '.fastbackend' / 'app.db'}")
    with engine.begin() as connection:  # WAL mode leaves -wal and -shm files beside it
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        connection.exec_driver_sql("INSERT INTO authors (email) VALUES ('a@x.io')")
        assert (project / ".fastbackend" / "app.db-wal").exists()
        git(project, "add", "-A")
    engine.dispose()
    tracked = set(git(project, "ls-files").split())
    assert {".fastbackend/ir.json", ".fastbackend/openapi.yaml", ".gitignore",
            "models.py"} <= tracked
    assert any(name.startswith("migrations/versions/") for name in tracked)
    assert not any(name.startswith(".fastbackend/app.db") for name in tracked)


def test_stale_outputs_say_to_stage_them(project: Path) -> None:
    commit_all(project.parent, "notes")
    add_slug_to_notes(project)
    code, _, err = run("compile", "--check")
    assert code == 1
    assert err.splitlines()[-1].endswith("run: fastbackend compile && git add .fastbackend")
    code, _, err = run("compile", "-q", "--exit-non-zero-on-change")
    assert code == 1
    assert "changed: .fastbackend/ir.json" in err
    assert "stage them: git add .fastbackend" in err


def add_slug_to_notes(project: Path) -> None:
    models = project / "models.py"
    text = models.read_text("utf-8")
    models.write_text(text.replace('    __tablename__ = "notes"\n', '    __tablename__ = "notes"\n'
                                   "    slug: Mapped[Optional[str]] = mapped_column(String(40))\n"),
                      "utf-8")


def test_outside_git_the_hint_is_only_the_command(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init", "loose", "-q")[0] == 0
    monkeypatch.chdir(tmp_path / "loose")
    assert not any((parent / ".git").exists() for parent in tmp_path.parents)
    code, _, err = run("compile", "--check")
    assert code == 1 and err.splitlines()[-1].endswith("run: fastbackend compile")


def test_fastbackend_yaml_points_at_the_docs(project: Path) -> None:
    text = (project / "fastbackend.yaml").read_text("utf-8")
    assert "docs/configuration.md" in text and "docs/cli.md" in text
    assert "arrive" not in text


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize("reload", ["--reload", "--no-reload"])
def test_dev_on_a_busy_port_says_so_in_one_line_and_exits_2(project: Path, busy_port: int,
                                                            reload: str) -> None:
    code, _, err = run("dev", "--port", str(busy_port), reload)
    assert code == 2
    assert err == (f"error: port {busy_port} on 127.0.0.1 is already in use; stop what serves "
                   "there, or choose another port with --port\n")
