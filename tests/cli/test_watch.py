"""`fastbackend compile --watch`: recompile on every save; a compile error does not stop it."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from fastbackend.cli.main import cli
from fastbackend.cli.watching import WatchSet, changes
from fastbackend.sources import resolve
from fastbackend_ir import load
from tests.cli.helpers import add_tag_slug, sqlalchemy_project
from tests.e2e.processes import FASTBACKEND, running, wait_until

pytestmark = pytest.mark.slow


def _tag_fields(ir_path: Path) -> list[str]:
    try:
        return [field.name for field in load(ir_path).entities["Tag"].fields]
    except Exception:  # written while we read it, or not yet there
        return []


def test_watch_recompiles_on_save_and_survives_a_compile_error(tmp_path: Path) -> None:
    models = sqlalchemy_project(tmp_path / "blog")
    ir_path = models.parent / ".fastbackend" / "ir.json"
    log = tmp_path / "watch.log"
    with running([*FASTBACKEND, "compile", "--watch", "--target", "ir"], models.parent,
                 log) as watcher:
        wait_until(lambda: "watching" in log.read_text("utf-8"), 60, "watching", watcher, log)
        assert "slug" not in _tag_fields(ir_path)
        add_tag_slug(models)
        wait_until(lambda: "slug" in _tag_fields(ir_path), 30, "slug in the IR", watcher, log)
        good = models.read_text("utf-8")
        models.write_text(good + "\nclass Broken(:\n", "utf-8")
        wait_until(lambda: "error FB101" in log.read_text("utf-8"), 30, "the error", watcher, log)
        models.write_text(good.replace("String(40)", "String(41)"), "utf-8")
        wait_until(lambda: log.read_text("utf-8").count("compiled models.py") == 3, 30,
                   "a compile after the error", watcher, log)
        assert watcher.poll() is None
    assert '"length": 41' in ir_path.read_text("utf-8")
    assert "Traceback" not in log.read_text("utf-8")


def test_watch_on_a_missing_source_exits_3_at_once(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["compile", str(tmp_path / "nope.py"), "--watch"],
                                catch_exceptions=False)
    assert result.exit_code == 3 and "FB002" in result.stderr


def test_watch_with_an_unknown_target_exits_2(tmp_path: Path) -> None:
    models = sqlalchemy_project(tmp_path)
    result = CliRunner().invoke(cli, ["compile", str(models), "--watch", "--target", "nope"],
                                catch_exceptions=False)
    assert result.exit_code == 2 and "unknown target nope" in result.stderr


def test_what_is_watched(tmp_path: Path) -> None:
    models = sqlalchemy_project(tmp_path / "p")
    (models.parent / "app" / "custom" / "admin").mkdir(parents=True)
    (models.parent / ".venv" / "lib").mkdir(parents=True)
    watched = WatchSet.of(resolve(models.parent))
    root = models.parent.resolve()
    assert watched.wants(root / "models.py") and watched.wants(root / "fastbackend.yaml")
    assert watched.wants(root / "app" / "custom" / "routes.py")
    assert watched.wants(root / "app" / "custom" / "admin" / "users.py")
    assert watched.wants(root / "app" / "auth.py")  # imported by custom routers
    assert not watched.wants(root / ".fastbackend" / "ir.json")
    assert not watched.wants(root / "app" / "custom" / "notes.txt")
    assert not watched.wants(root / ".venv" / "lib" / "site.py")
    assert watched.folders() == [root, root / "app", root / "app" / "custom",
                                 root / "app" / "custom" / "admin"]


def test_an_edit_before_the_watches_are_in_place_counts(tmp_path: Path) -> None:
    """Saved during the first compile, before the watcher started: reported once it has."""
    models = sqlalchemy_project(tmp_path / "p")
    watched = WatchSet.of(resolve(models.parent))
    before = watched.snapshot()  # what the first compile read
    add_tag_slug(models)
    stop = threading.Event()  # set once ready: the generator ends after its first report
    assert list(changes(watched, stop, since=before, on_ready=stop.set)) == [{models.resolve()}]


def test_compile_json_gives_the_summary_to_machines(tmp_path: Path) -> None:
    models = sqlalchemy_project(tmp_path)
    first = CliRunner().invoke(cli, ["compile", str(models), "--target", "ir", "--json"],
                               catch_exceptions=False)
    assert first.exit_code == 0
    report = json.loads(first.stdout)
    assert (report["source"], report["entities"], report["relations"]) == ("models.py", 4, 10)
    assert len(report["written"]) == 2 and report["elapsed_ms"] > 0
    again = CliRunner().invoke(cli, ["compile", str(models), "--target", "ir", "--json"],
                               catch_exceptions=False)
    assert json.loads(again.stdout)["written"] == []
