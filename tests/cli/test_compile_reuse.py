"""The lifecycle commands (`migrate`, `dev`, `test`) reuse the IR a previous command compiled
from the same inputs (cli/project.py, through compile --check's stamps). Any change to what the
compile read, or to what it wrote, compiles again.

Whether a command compiled is seen by counting compile_path calls, never by timing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import fastbackend.cli.project
from tests.cli.helpers import PROJECTS, add_tag_slug, count_calls, count_compiles, run

Compiles = list[int]


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Compiles:
    return count_compiles(monkeypatch, tmp_path / "cache", fastbackend.cli.project)


@pytest.fixture(params=sorted(PROJECTS))
def project(request: pytest.FixtureRequest, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    schema: Path = PROJECTS[request.param](tmp_path / "blog")
    monkeypatch.chdir(schema.parent)
    return schema


def _migrate(compiles: Compiles, *extra: str) -> tuple[str, int]:
    compiles.clear()
    code, out, err = run("migrate", "--apply", *extra)
    assert code == 0, out + err
    return out, len(compiles)


def test_an_unchanged_project_is_compiled_once(project: Path, compiles: Compiles) -> None:
    out, compiled = _migrate(compiles)
    assert ("create table tags" in out, compiled) == (True, 1)
    # the first run listed the project folder before migrations/ was made in it (and the
    # Prisma front-end lists migrations/ itself, as Prisma keeps its own migrations there)
    assert _migrate(compiles)[1] == 1
    out, compiled = _migrate(compiles)
    assert ("the database matches the IR" in out, compiled) == (True, 0)
    add_tag_slug(project)
    out, compiled = _migrate(compiles)
    assert ("add column tags.slug" in out, compiled) == (True, 1)
    _migrate(compiles)  # a Prisma project's folder lists migrations/'s new revision: compiled
    assert _migrate(compiles)[1] == 0


@pytest.mark.parametrize("output", ["ir.json", "ir.map.json"])
def test_an_edited_or_missing_output_is_compiled_again(project: Path, compiles: Compiles,
                                                       output: str) -> None:
    _migrate(compiles)
    _migrate(compiles)
    assert _migrate(compiles)[1] == 0
    path = project.parent / ".fastbackend" / output
    written = path.read_bytes()
    path.write_bytes(written.replace(b"}", b"} ", 1))
    assert _migrate(compiles)[1] == 1
    assert path.read_bytes() == written
    path.unlink()
    assert _migrate(compiles)[1] == 1
    assert path.read_bytes() == written


def test_a_compile_check_stamp_is_not_reused_without_the_source_map(
        project: Path, compiles: Compiles) -> None:
    """`compile --check` stamps ir.json only: the map it leaves out may be stale."""
    _migrate(compiles)
    assert run("compile", "--check", "--target", "ir")[0] == 0
    assert _migrate(compiles)[1] == 1


def test_no_cache_compiles_every_time(project: Path, compiles: Compiles,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTBACKEND_NO_CACHE", "1")
    _migrate(compiles)
    assert _migrate(compiles)[1] == 1


def test_a_fresh_projects_first_compile_leaves_a_stamp_the_next_command_uses(
        project: Path, compiles: Compiles) -> None:
    """.fastbackend/ appears in the project folder with the first compile's outputs; `dev`
    starts from the IR that `dev` (or `migrate`) compiled before."""
    from fastbackend.cli.dev import _compile

    assert not (project.parent / ".fastbackend").exists()
    assert _compile(None, reuse=True)[1] is True
    assert len(compiles) == 1
    assert _compile(None, reuse=True)[1] is False
    assert len(compiles) == 1


def test_dev_serves_the_ir_it_compiled_without_decoding_it_again(
        project: Path, compiles: Compiles, monkeypatch: pytest.MonkeyPatch) -> None:
    """`dev --no-reload` builds its app in the process that compiled: the runtime's load of
    ir.json returns the compiled IR."""
    import fastbackend_ir.io
    from fastbackend.cli.dev import _compile
    from fastbackend_ir import load

    decoded = count_calls(monkeypatch, fastbackend_ir.io, "loads")
    sources, _ = _compile(None, reuse=True)
    ir = load(sources.output_dir / "ir.json")
    assert decoded == []
    assert ir.entities and len(compiles) == 1
