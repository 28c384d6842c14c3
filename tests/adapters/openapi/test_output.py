"""The written contract: openapi.yaml (and openapi.json on request), byte-deterministic,
reviewed as snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from syrupy.assertion import SnapshotAssertion

from fastbackend.cli.main import cli
from fastbackend.targets import available
from fastbackend_openapi import emit, to_json, to_yaml
from fastbackend_openapi.target import JSON_TARGET, TARGET
from tests.adapters.openapi.conftest import NAMES, ir_named
from tests.conftest import ROOT

SNAPSHOTTED = ["blog", "implicit", "kitchen", "one_sided"]  # the examples compile to blog's


@pytest.mark.parametrize("name", SNAPSHOTTED)
def test_emitted_yaml_matches_its_snapshot(name: str, snapshot: SnapshotAssertion) -> None:
    """Regenerate with `pytest tests/adapters/openapi --snapshot-update`, then review the diff."""
    assert TARGET.render(ir_named(name)) == snapshot


@pytest.mark.parametrize("name", NAMES)
def test_yaml_and_json_hold_the_same_document(name: str) -> None:
    document = emit(ir_named(name))
    assert yaml.safe_load(TARGET.render(ir_named(name))["openapi.yaml"]) == document
    assert json.loads(JSON_TARGET.render(ir_named(name))["openapi.json"]) == document


def test_the_yaml_keeps_the_emitters_order() -> None:
    """Paths in IR order (health first), not sorted: the file reads like the API."""
    text = to_yaml(emit(ir_named("blog")))
    assert text.startswith("openapi: 3.1.0\ninfo:")
    positions = [text.index(f"\n  {path}:\n") for path in ("/healthz", "/comments", "/posts",
                                                           "/tags", "/users")]
    assert positions == sorted(positions)
    assert "&id" not in text and "*id" not in text  # no YAML anchors or aliases


def test_both_targets_are_found_by_the_cli() -> None:
    targets = available()
    assert targets["openapi"] is TARGET
    assert targets["openapi-json"] is JSON_TARGET


def test_compile_writes_both_files_identically_twice(tmp_path: Path) -> None:
    source = ROOT / "examples" / "blog" / "models.py"
    args = ["compile", str(source), "--out", str(tmp_path), "--target", "openapi",
            "--target", "openapi-json"]
    first = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert first.exit_code == 0, first.stderr
    written = {name: (tmp_path / name).read_bytes() for name in ("openapi.yaml", "openapi.json")}
    assert written["openapi.json"].decode() == to_json(emit(ir_named("example_blog")))
    again = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert again.exit_code == 0
    assert {name: (tmp_path / name).read_bytes() for name in written} == written
    check = CliRunner().invoke(cli, [*args, "--check"], catch_exceptions=False)
    assert check.exit_code == 0, check.stdout + check.stderr


def test_compile_writes_openapi_yaml_by_default(tmp_path: Path) -> None:
    source = ROOT / "examples" / "blog" / "models.py"
    result = CliRunner().invoke(cli, ["compile", str(source), "--out", str(tmp_path)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ir.json", "ir.map.json",
                                                          "openapi.yaml"]
