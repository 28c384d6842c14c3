"""The CLI's frame: help, version, exit codes and diagnostics (DESIGN.md)."""

from __future__ import annotations

import sys
import types
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from fastbackend import frontends
from fastbackend.cli.main import cli
from fastbackend.frontends import FrontendResult
from fastbackend.sources import SourceSet
from fastbackend_ir import Location, load


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_compile_and_the_exit_codes() -> None:
    code, out, _ = _run("--help")
    assert code == 0
    assert "compile" in out and "generate" in out
    assert "3 input does not compile" in out


def test_version() -> None:
    code, out, _ = _run("--version")
    assert (code, out.strip()) == (0, "fastbackend, version 0.1.0")


def test_missing_source_exits_3_with_a_located_diagnostic(tmp_path: Path) -> None:
    code, out, err = _run("compile", str(tmp_path / "missing.py"))
    assert code == 3 and out == ""
    assert f"{tmp_path / 'missing.py'}:1:1: error FB002:" in err
    assert "Traceback" not in err


def _fake_frontend(monkeypatch: pytest.MonkeyPatch, result: FrontendResult) -> None:
    module = types.ModuleType("fake_frontend")
    module.compile_sources = lambda sources: result  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_frontend", module)
    monkeypatch.setitem(frontends.FRONTENDS, "sqlalchemy", "fake_frontend")


def test_unavailable_front_end_is_fb005(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(frontends.FRONTENDS, "sqlalchemy", "fastbackend.frontends.not_there")
    (tmp_path / "models.py").write_text("", "utf-8")
    code, _, err = _run("compile", str(tmp_path / "models.py"))
    assert code == 3 and "error FB005: the sqlalchemy front-end is not available" in err


def test_compile_writes_ir_and_source_map_then_reports_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, golden_blog_ir_path: Path
) -> None:
    ir = load(golden_blog_ir_path)
    _fake_frontend(monkeypatch, FrontendResult(ir, {"/entities/User": Location("models.py", 3, 1)}))
    (tmp_path / "models.py").write_text("", "utf-8")
    code, out, _ = _run("compile", str(tmp_path / "models.py"), "--target", "ir")
    assert code == 0
    assert "4 entities, 10 relations" in out and "wrote 2 files" in out
    written = tmp_path / ".fastbackend" / "ir.json"
    assert written.read_bytes() == golden_blog_ir_path.read_bytes()
    assert '"line": 3' in (tmp_path / ".fastbackend" / "ir.map.json").read_text("utf-8")
    code, out, _ = _run("generate", str(tmp_path / "models.py"), "--target", "ir")
    assert code == 0 and "up to date" in out


def test_unknown_target_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, golden_blog_ir_path: Path
) -> None:
    _fake_frontend(monkeypatch, FrontendResult(load(golden_blog_ir_path)))
    (tmp_path / "models.py").write_text("", "utf-8")
    code, _, err = _run("compile", str(tmp_path / "models.py"), "--target", "graphql")
    assert code == 2 and "unknown target graphql" in err
    assert not (tmp_path / ".fastbackend").exists()


def test_invalid_ir_from_a_front_end_is_fb006(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, golden_blog_ir_path: Path
) -> None:
    ir = load(golden_blog_ir_path)
    broken = replace(ir, entities={**ir.entities,
                                   "Tag": replace(ir.entity("Tag"), relations=())})
    _fake_frontend(monkeypatch, FrontendResult(broken))
    (tmp_path / "models.py").write_text("", "utf-8")
    code, _, err = _run("compile", str(tmp_path / "models.py"))
    assert code == 3
    assert "error FB006" in err and "has no relation 'posts'" in err


def test_sourceset_paths_are_relative_posix(tmp_path: Path) -> None:
    sources = SourceSet("sqlalchemy", tmp_path, (tmp_path / "a" / "m.py",), tmp_path / "a" / "m.py")
    assert sources.relative(tmp_path / "a" / "m.py") == "a/m.py"
