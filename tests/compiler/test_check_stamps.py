"""compile --check's stamps (fastbackend/cli/stamps.py): an unchanged check is answered without
compiling, and any change to what the compile read, probed or wrote runs the real check.

Whether the stamp answered is seen by counting compile_path calls, never by timing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import fastbackend.pipeline
from fastbackend.cli import stamps
from tests.cli.helpers import PROJECTS, add_tag_slug, count_compiles, run

Compiles = list[int]


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Compiles:
    return count_compiles(monkeypatch, tmp_path / "cache", fastbackend.pipeline)


def _check(*extra: str) -> tuple[int, str, str]:
    return run("compile", "--check", *extra)


def _stamped(compiles: Compiles) -> None:
    """Compile, then check until a stamp answers (the first check records it)."""
    assert run("compile")[0] == 0
    assert _check()[0] == 0
    compiles.clear()
    code, out, err = _check()
    assert (code, err, len(compiles)) == (0, "", 0), "an unchanged check compiled again"
    assert "all outputs are up to date" in out


@pytest.fixture(params=sorted(PROJECTS))
def project(request: pytest.FixtureRequest, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    schema: Path = PROJECTS[request.param](tmp_path / "blog")
    monkeypatch.chdir(schema.parent)
    return schema


def test_an_unchanged_check_is_answered_without_compiling(project: Path,
                                                          compiles: Compiles) -> None:
    _stamped(compiles)
    assert _check("--quiet") == (0, "", "")
    assert compiles == []


def test_a_changed_schema_runs_the_real_check(project: Path, compiles: Compiles) -> None:
    _stamped(compiles)
    add_tag_slug(project)
    code, _, err = _check()
    assert code == 1 and "stale: .fastbackend/ir.json (out of date)" in err
    assert compiles == [1]


def test_an_edit_that_changes_no_output_compiles_once_then_is_stamped(
        project: Path, compiles: Compiles) -> None:
    _stamped(compiles)
    comment = "// a comment\n" if project.suffix == ".prisma" else "# a comment\n"
    project.write_text(comment + project.read_text("utf-8"), "utf-8")
    assert _check()[0] == 0 and compiles == [1]
    assert _check()[0] == 0 and compiles == [1]


@pytest.mark.parametrize("edit", ["append", "delete"])
def test_an_edited_or_missing_output_is_stale(project: Path, compiles: Compiles,
                                              edit: str) -> None:
    _stamped(compiles)
    output = Path(".fastbackend/openapi.yaml")
    if edit == "append":
        output.write_text(output.read_text("utf-8") + "x: 1\n", "utf-8")
    else:
        output.unlink()
    code, _, err = _check()
    assert code == 1 and "stale: .fastbackend/openapi.yaml" in err
    assert compiles == [1]


def test_a_module_the_models_import_is_an_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                compiles: Compiles) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "common.py").write_text(
        'import enum\n\n\nclass Status(enum.Enum):\n    draft = "draft"\n', "utf-8")
    (tmp_path / "models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n"
        "from common import Status\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\n"
        'class Post(Base):\n    __tablename__ = "posts"\n\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n    status: Mapped[Status]\n",
        "utf-8")
    _stamped(compiles)
    (tmp_path / "common.py").write_text(
        'import enum\n\n\nclass Status(enum.Enum):\n    archived = "archived"\n', "utf-8")
    code, _, err = _check()
    assert code == 1 and "stale: .fastbackend/ir.json" in err


def test_a_file_that_appears_where_the_compile_looked_is_an_input(
        project: Path, compiles: Compiles) -> None:
    """fastbackend.yaml's api section without a title takes pyproject.toml's name: a
    pyproject.toml created after the stamp was probed as missing, and now changes the output."""
    Path("fastbackend.yaml").write_text("api:\n  version: 1.0.0\n", "utf-8")
    _stamped(compiles)
    Path("pyproject.toml").write_text('[project]\nname = "shop"\n', "utf-8")
    code, _, err = _check()
    assert code == 1 and "stale:" in err
    assert compiles == [1]


def test_other_compiler_code_does_not_trust_the_stamp(project: Path, compiles: Compiles,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _stamped(compiles)
    monkeypatch.setattr(stamps, "code_fingerprint", lambda: "another version")
    assert _check()[0] == 0
    assert compiles == [1]


def test_no_cache_always_compiles_and_records_nothing(project: Path, compiles: Compiles,
                                                      tmp_path: Path) -> None:
    assert run("compile", "--no-cache")[0] == 0
    for _ in range(2):
        assert _check("--no-cache")[0] == 0
    assert len(compiles) == 3
    assert not (tmp_path / "cache" / stamps.STAMPS_FILE).exists()


def test_stamps_are_kept_within_a_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTBACKEND_CACHE_DIR", str(tmp_path))
    for number in range(stamps.KEEP + 5):
        stamps.save(f"key{number}", stamps.Stamp(str(tmp_path), {}, [], []))
    kept = json.loads((tmp_path / stamps.STAMPS_FILE).read_text("utf-8"))["stamps"]
    assert len(kept) == stamps.KEEP and f"key{stamps.KEEP + 4}" in kept and "key0" not in kept


def test_a_corrupt_stamps_file_is_ignored(project: Path, compiles: Compiles,
                                          tmp_path: Path) -> None:
    _stamped(compiles)
    (tmp_path / "cache" / stamps.STAMPS_FILE).write_text("{not json", "utf-8")
    assert _check()[0] == 0 and compiles == [1]
    assert _check()[0] == 0 and compiles == [1]
