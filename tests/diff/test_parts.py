"""Thresholds, locations, side paths and the package's public surface."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

import pytest

import fastbackend.diff
from fastbackend.diff import Locator, Severity, Threshold, compare, locate, parse_fail_on
from fastbackend.diff.findings import pointer
from fastbackend.diff.sides import source_map_path, source_root
from fastbackend_ir import Location, Source
from tests.diff.irs import Doc, edited, field, typed


def test_public_api_is_pinned() -> None:
    assert sorted(fastbackend.diff.__all__) == [
        "DEFAULT_FAIL_ON", "Finding", "Locator", "RULES", "Report", "Rule", "Severity",
        "Threshold", "compare", "fingerprint", "locate", "parse_fail_on",
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("api=error,db=error", Threshold(Severity.ERROR, Severity.ERROR)),
    ("api=warning", Threshold(Severity.WARNING, Severity.ERROR)),
    (" db = info , api = none ", Threshold(None, Severity.INFO)),
    ("", Threshold(Severity.ERROR, Severity.ERROR)),
])
def test_fail_on_parses(text: str, expected: Threshold) -> None:
    assert parse_fail_on(text) == expected


def made_required(document: Doc) -> None:
    field(document, "User", "name").pop("nullable")  # api error, db warning


@pytest.mark.parametrize(("fail_on", "fails"), [
    ("api=error,db=error", True), ("api=none,db=error", False), ("api=none,db=warning", True),
    ("api=none,db=none", False), ("api=none,db=info", True),
])
def test_a_threshold_compares_each_audience_separately(fail_on: str, fails: bool) -> None:
    [finding] = compare(typed(edited()), typed(edited(made_required)))
    assert parse_fail_on(fail_on).fails(finding) is fails


def test_a_location_comes_from_the_nearest_mapped_ancestor() -> None:
    ir = typed(edited())
    locator = Locator(ir, {"/entities/Post": Location("models.py", 30, 1),
                           "/entities/Post/fields/3": Location("models.py", 35, 5)})
    assert locator.find("/entities/Post/fields/3/default") == Location("models.py", 35, 5)
    assert locator.find("/entities/Post/indexes/0") == Location("models.py", 30, 1)
    # Unmapped: the element's own source file, else the schema's first file.
    assert locator.find("/entities/Tag/fields/1") == Location("models.py", 1, 1)
    assert locator.find("/database") == Location("models.py", 1, 1)
    no_files = replace(ir, source=Source("sqlalchemy"))
    assert Locator(no_files).find("/database") is None
    assert Locator(ir, root="api").find("/enums/PostStatus") == Location("api/models.py", 1, 1)


def test_locate_uses_the_base_for_removals_and_the_head_otherwise() -> None:
    def drop_and_change(document: Doc) -> None:
        made_required(document)
        document["entities"]["Post"]["fields"].pop(2)  # Post.body
    findings = compare(typed(edited()), typed(edited(drop_and_change)))
    base = Locator(typed(edited()), {"/entities/Post/fields/2": Location("old.py", 9, 1)})
    head = Locator(typed(edited(drop_and_change)),
                   {"/entities/User/fields/2": Location("new.py", 4, 5)})
    located = {f.rule: f.location for f in locate(findings, base, head)}
    assert located == {"field-removed": Location("old.py", 9, 1),
                       "field-made-required": Location("new.py", 4, 5)}


@pytest.mark.parametrize(("path", "sidecar", "root"), [
    ("api/.fastbackend/ir.json", "api/.fastbackend/ir.map.json", "api"),
    (".fastbackend/ir.json", ".fastbackend/ir.map.json", ""),
    ("tests/golden/blog.ir.json", "tests/golden/blog.ir.map.json", "tests/golden"),
])
def test_where_the_source_map_and_the_sources_are(path: str, sidecar: str, root: str) -> None:
    assert source_map_path(PurePosixPath(path)) == sidecar
    assert source_root(path) == root


def test_pointer_tokens_are_escaped() -> None:
    assert pointer("joinTables", "public/post~tags", 0) == "/joinTables/public~1post~0tags/0"
