"""``load`` returns the IR it last read from an unchanged file (or that ``remember`` noted for
it) instead of decoding the file again; any change to the bytes decodes them."""

from __future__ import annotations

from pathlib import Path

import pytest

import fastbackend_ir.io
from fastbackend_ir import dumps, load
from fastbackend_ir.io import remember
from tests.cli.helpers import count_calls

BLOG_IR = Path(__file__).resolve().parents[1] / "golden" / "blog.ir.json"


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    return count_calls(monkeypatch, fastbackend_ir.io, "loads")


def _copy(tmp_path: Path, name: str = "ir.json") -> Path:
    path = tmp_path / name
    path.write_bytes(BLOG_IR.read_bytes())
    return path


def test_an_unchanged_file_is_decoded_once(tmp_path: Path, decodes: list[int]) -> None:
    path = _copy(tmp_path)
    first = load(path)
    assert load(path) is first
    assert len(decodes) == 1
    path.write_text(path.read_text("utf-8").replace("{", "{ ", 1), "utf-8")
    changed = load(path)
    assert changed is not first and changed == first
    assert len(decodes) == 2


def test_a_remembered_ir_is_returned_for_its_text(tmp_path: Path, decodes: list[int]) -> None:
    ir = load(BLOG_IR)
    decodes.clear()
    path = tmp_path / "ir.json"
    text = dumps(ir)
    path.write_text(text, "utf-8")
    remember(path, text, ir)
    assert load(path) is ir
    assert decodes == []
    path.write_text(text + "\n", "utf-8")  # not what was remembered: decoded
    assert load(path) is not ir
    assert len(decodes) == 1


def test_only_a_few_files_are_kept(tmp_path: Path, decodes: list[int]) -> None:
    paths = [_copy(tmp_path, f"ir{number}.json") for number in range(6)]
    for path in paths:
        load(path)
    decodes.clear()
    load(paths[-1])
    load(paths[0])
    assert len(decodes) == 1
