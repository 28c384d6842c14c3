"""The whole loop: init, compile, migrate --apply, dev, CRUD over HTTP, add a field, reload,
and a migration that adds exactly that column."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from fastbackend.cli.main import cli
from tests import local_http
from tests.e2e.processes import FASTBACKEND, answers, free_port, running, wait_until

pytestmark = pytest.mark.slow

NICKNAME = "    nickname: Mapped[Optional[str]] = mapped_column(String(40))\n"


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def add_nickname(models: Path) -> None:
    text = models.read_text("utf-8")
    anchor = "    name: Mapped[Optional[str]] = mapped_column(String(100))\n"
    assert anchor in text
    models.write_text(text.replace(anchor, anchor + NICKNAME, 1), "utf-8")


def author_fields(base: str) -> set[str]:
    try:
        schema = local_http.get(base + "/openapi.json", timeout=5).json()
    except httpx.HTTPError:
        return set()
    found: set[str] = set()
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if name.startswith("Author"):
            found |= set(component.get("properties", {}))
    return found


def crud_round_trip(base: str) -> None:
    created = local_http.post(base + "/authors", json={"email": "ada@example.com", "name": "Ada"})
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert local_http.get(base + location).json()["name"] == "Ada"
    patched = local_http.patch(base + location, json={"name": "Ada Lovelace"})
    assert patched.status_code == 200 and patched.json()["name"] == "Ada Lovelace"
    note = local_http.post(base + "/notes", json={"title": "On engines", "author_id":
                                             created.json()["id"]})
    assert note.status_code == 201, note.text
    listed = local_http.get(base + f"{location}/notes").json()
    assert [n["title"] for n in listed["data"]] == ["On engines"]
    assert local_http.delete(base + note.headers["location"]).status_code == 204
    assert local_http.get(base + "/notes").json()["meta"]["total"] == 0


def test_init_compile_migrate_dev_edit_reload_migrate(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    project = tmp_path / "shop"
    invoke("init", str(project))
    assert "2 entities, 2 relations" in invoke("compile", str(project)).stdout
    first = invoke("migrate", str(project), "--apply")
    assert "create table authors" in first.stdout and "applied" in first.stdout
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "dev.log"
    with running([*FASTBACKEND, "dev", "--port", str(port)], project, log) as dev:
        wait_until(lambda: answers(base + "/healthz"), 60, "dev to serve", dev, log)
        crud_round_trip(base)
        assert "nickname" not in author_fields(base)
        add_nickname(project / "models.py")
        wait_until(lambda: "nickname" in author_fields(base), 60, "the reload", dev, log)
        wait_until(lambda: "reloaded" in log.read_text("utf-8"), 30, "the old server to stop",
                   dev, log)
        report = json.loads(invoke("migrate", str(project), "--json").stdout)
        assert report["operations"] == ["add column authors.nickname"]
        revision = Path(report["revision"]).read_text("utf-8")
        upgrade = revision.split("def upgrade", 1)[1].split("def downgrade", 1)[0]
        assert "sa.Column('nickname', sa.String(length=40)" in upgrade
        assert upgrade.count("add_column(") == 1 and "drop" not in upgrade
        invoke("migrate", str(project), "--apply")
        created = local_http.post(base + "/authors", json={"email": "b@example.com", "nickname": "b"})
        assert created.status_code == 201, created.text
        assert local_http.get(base + created.headers["location"]).json()["nickname"] == "b"
    assert "Traceback" not in log.read_text("utf-8")
    assert len(list((project / "migrations" / "versions").glob("*.py"))) == 2
