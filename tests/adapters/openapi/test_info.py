"""info and servers: decided by the compiler from fastbackend.yaml's `api`, read by the emitter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fastbackend.config import ConfigError
from fastbackend.pipeline import compile_path
from fastbackend_openapi import emit
from tests.conftest import ROOT

BLOG = ROOT / "examples" / "blog" / "models.py"


def _project(tmp_path: Path, yaml: str, pyproject: str | None = None) -> Path:
    folder = tmp_path / "journal"
    folder.mkdir()
    shutil.copy(BLOG, folder / "models.py")
    (folder / "fastbackend.yaml").write_text(yaml, "utf-8")
    if pyproject is not None:
        (folder / "pyproject.toml").write_text(pyproject, "utf-8")
    return folder


def test_info_and_servers_come_from_fastbackend_yaml(tmp_path: Path) -> None:
    folder = _project(tmp_path, "api:\n  title: Blog API\n  version: 2\n"
                                "  description: Posts and comments.\n  servers:\n"
                                "    - https://api.example.com\n"
                                "    - {url: 'http://localhost:8000', description: local}\n")
    document = emit(compile_path(folder)[1].ir)
    assert document["info"] == {"title": "Blog API", "version": "2",
                                "description": "Posts and comments."}
    assert document["servers"] == [{"url": "https://api.example.com"},
                                   {"url": "http://localhost:8000", "description": "local"}]


def test_the_title_defaults_to_the_project_name(tmp_path: Path) -> None:
    named = _project(tmp_path, "schema: models.py\n", '[project]\nname = "acme-blog"\n')
    assert emit(compile_path(named)[1].ir)["info"] == {"title": "acme-blog", "version": "0.1.0"}
    (named / "pyproject.toml").unlink()
    assert emit(compile_path(named)[1].ir)["info"]["title"] == "journal"  # the folder's name


def test_without_a_project_the_ir_says_nothing_and_the_default_title_is_used() -> None:
    ir = compile_path(BLOG)[1].ir
    assert ir.api is None
    assert emit(ir)["info"] == {"title": "FastBackend API", "version": "0.1.0"}
    assert "servers" not in emit(ir)


@pytest.mark.parametrize(("yaml", "code", "line"), [
    ("api:\n  titel: x\n", "FB401", 2),
    ("api:\n  title: ''\n", "FB402", 2),
    ("api:\n  servers: https://x\n", "FB402", 2),
    ("api:\n  servers:\n    - {url: 'https://x', name: prod}\n", "FB401", 3),
    ("api: [1]\n", "FB402", 1),
])
def test_a_wrong_api_section_is_a_config_error_at_its_line(tmp_path: Path, yaml: str, code: str,
                                                           line: int) -> None:
    with pytest.raises(ConfigError) as raised:
        compile_path(_project(tmp_path, yaml))
    [diagnostic] = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.line) == (code, line)
