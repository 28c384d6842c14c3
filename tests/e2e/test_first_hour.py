"""A new user's first hour, as the README tells it (issue #28): init, compile, migrate, dev,
test, then models that change, then the move from SQLite to PostgreSQL with the migrations
written on SQLite, then build and docker:build, whose image is installed as its Dockerfile
says (offline, in a plain venv) and serves the PostgreSQL data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fastbackend.cli.main import cli
from tests import local_http
from tests.cli.helpers import git, new_repo
from tests.e2e.image import image_command, imports, install_like_the_image
from tests.e2e.processes import FASTBACKEND, answers, free_port, running, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# Added once the project has rows: a NOT NULL field with only a Python default, and a model
# whose key is a string filled by uuid.uuid4 (a 500 on SQLite before).
WEIGHT = "    weight: Mapped[int] = mapped_column(default=0)\n"
LABELS = '''

class Label(Base):
    """A label with a generated text key."""

    __tablename__ = "labels"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=uuid.uuid4)
    text: Mapped[str] = mapped_column(String(40))
'''


def fastbackend(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@contextmanager
def serving(command: list[str], port: int, cwd: Path, log: Path,
            env: dict[str, str] | None = None) -> Iterator[str]:
    """``command`` (which listens on ``port``) until it answers; its base URL."""
    with running(command, cwd, log, env) as server:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers(base + "/healthz"), 90, " ".join(command[:4]), server, log)
        yield base
    assert "Traceback" not in log.read_text("utf-8")


def dev(port: int) -> list[str]:
    return [*FASTBACKEND, "dev", "--no-reload", "--port", str(port)]


def change_the_models(models: Path) -> None:
    text = models.read_text("utf-8")
    anchor = "    name: Mapped[Optional[str]] = mapped_column(String(100))\n"
    assert anchor in text
    text = text.replace(anchor, anchor + WEIGHT, 1).replace("from datetime import datetime",
                                                            "import uuid\nfrom datetime import datetime")
    models.write_text(text + LABELS, "utf-8")


def test_the_first_hour_from_init_on_sqlite_to_an_image_on_postgres(
        tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    fastbackend("init", "shop")
    project = new_repo(tmp_path / "shop")  # `git init` in it, as the README's next step
    monkeypatch.chdir(project)
    fastbackend("compile")

    # migrate, then migrate again: the second does not claim the empty database matches
    fastbackend("migrate")
    assert "not applied yet" in fastbackend("migrate").stdout
    assert "applied" in fastbackend("migrate", "--apply").stdout

    port = free_port()
    with serving(dev(port), port, project, tmp_path / "dev.log") as base:
        assert local_http.get(base + "/", follow_redirects=True, timeout=10).url.path == "/docs"
        ada = local_http.post(base + "/authors", json={"email": "ada@example.com", "name": "Ada"})
        assert ada.status_code == 201, ada.text
        note = local_http.post(base + "/notes", json={"title": "Engines", "author_id": 1.0})
        assert note.status_code == 201, note.text

    tested = CliRunner().invoke(cli, ["test"], catch_exceptions=False)
    assert tested.exit_code == 0, tested.output

    change_the_models(project / "models.py")
    on_sqlite = json.loads(fastbackend("migrate", "--apply", "--json").stdout)
    assert sorted(on_sqlite["operations"]) == ["add column authors.weight", "create table labels"]
    assert "written_against = 'sqlite'" in Path(on_sqlite["revision"]).read_text("utf-8")

    # the move: the same migrations/, written on SQLite, applied to PostgreSQL
    moved = fastbackend("migrate", "--apply", "--json", env={"DATABASE_URL": postgres_url})
    assert len(json.loads(moved.stdout)["applied"]) == 2
    again = fastbackend("migrate", "--json", env={"DATABASE_URL": postgres_url})
    assert json.loads(again.stdout)["operations"] == []
    on_postgres = {"DATABASE_URL": postgres_url}
    port = free_port()
    with serving(dev(port), port, project, tmp_path / "dev-pg.log", on_postgres) as base:
        grace = local_http.post(base + "/authors", json={"email": "grace@example.com"}).json()
        assert grace["weight"] == 0
        label = local_http.post(base + "/labels", json={"text": "first"})
        assert label.status_code == 201, label.text

    fastbackend("build")
    assert "uvicorn[standard]>=0.30" in (project / "build" / "requirements.txt").read_text("utf-8")
    fastbackend("docker:build", "--no-build")
    environment = tmp_path / "image"
    assert "--no-index" in install_like_the_image(project / "build", environment)
    assert not imports(environment, "libcst") and imports(environment, "uvloop")
    port = free_port()
    command = image_command(project / "build", environment, port)
    with serving(command, port, project / "build", tmp_path / "image.log", on_postgres) as base:
        emails = [row["email"] for row in local_http.get(base + "/authors").json()["data"]]
        assert emails == ["grace@example.com"]
        (stored,) = local_http.get(base + "/labels").json()["data"]
        assert stored["id"] == label.json()["id"] and stored["text"] == "first"

    git(project, "add", "-A")
    tracked = git(project, "ls-files").split()
    assert ".fastbackend/ir.json" in tracked and ".fastbackend/app.db" not in tracked
