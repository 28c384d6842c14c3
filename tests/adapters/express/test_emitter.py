"""The emitted project as files: snapshots, determinism, headers, src/custom, pinned versions."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib.metadata import entry_points
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from fastbackend_express import CUSTOM_DIR, TARGET, render_project
from fastbackend_express.library import library_files
from fastbackend_express.prisma_schema import HEADER
from fastbackend_express.project import FIXED_TEMPLATES, STATIC_FILES
from fastbackend_ir.contract import without_routes
from tests.adapters.express.harness import IR_PATHS, load_ir, render

NAMES = sorted(IR_PATHS)
# JSON has no comments: package.json says it in "description"; the lockfile is npm's own.
HEADERLESS = {"package.json", "package-lock.json"}
# The support library (src/lib/) is real TypeScript, checked once (test_library.py), not snapshotted.
LIBRARY_PATHS = set(library_files())
FIXED_PATHS = set(FIXED_TEMPLATES.values()) | set(STATIC_FILES) | LIBRARY_PATHS


@pytest.mark.parametrize("name", NAMES)
def test_files_that_depend_on_the_ir_match_their_snapshots(name: str, snapshot: SnapshotAssertion) -> None:
    outputs = render(name)
    assert sorted(outputs) == snapshot(name="paths")
    for path, text in outputs.items():
        if path not in FIXED_PATHS:
            assert text == snapshot(name=path)


def test_files_that_do_not_depend_on_the_ir_match_their_snapshots(snapshot: SnapshotAssertion) -> None:
    outputs = render_project(load_ir("blog"))
    for path in sorted(FIXED_PATHS - LIBRARY_PATHS - {"package-lock.json"}):  # the lockfile: below
        assert outputs[path] == snapshot(name=path)


@pytest.mark.parametrize("name", NAMES)
def test_fixed_files_are_the_same_for_every_ir(name: str) -> None:
    outputs, reference = render(name), render_project(load_ir("blog"))
    assert {path: outputs[path] for path in FIXED_PATHS} == {p: reference[p] for p in FIXED_PATHS}


@pytest.mark.parametrize("name", NAMES)
def test_rendering_is_deterministic(name: str) -> None:
    first = render(name)
    second = render(name)
    assert [(p, t.encode()) for p, t in first.items()] == [(p, t.encode()) for p, t in second.items()]


@pytest.mark.parametrize("name", NAMES)
def test_nothing_is_emitted_under_src_custom(name: str) -> None:
    paths = render(name)
    assert not [path for path in paths if path.startswith(CUSTOM_DIR)]
    assert all(not path.startswith("/") and ".." not in path.split("/") for path in paths)


@pytest.mark.parametrize("name", NAMES)
def test_every_generated_file_says_so(name: str) -> None:
    outputs = render(name)
    unmarked = [path for path, text in outputs.items()
                if path not in HEADERLESS and "do not edit; put your code in src/custom/" not in
                text.split("\n", 2)[0] + text.split("\n", 2)[1]]
    assert unmarked == []
    assert HEADER in outputs["src/app.ts"]
    assert "do not edit" in json.loads(outputs["package.json"])["description"]


def test_one_router_and_one_schema_module_per_entity() -> None:
    ir = load_ir("kitchen")
    outputs = render_project(ir)
    routers = sorted(path for path in outputs if path.startswith("src/routes/"))
    schemas = sorted(path for path in outputs if path.startswith("src/schemas/"))
    assert len(routers) == len(schemas) == len(ir.entities)
    assert "src/routes/employee.ts" in routers


def _pins(manifest: dict[str, Any]) -> dict[str, str]:
    return {**manifest["dependencies"], **manifest["devDependencies"]}


def test_versions_are_pinned_and_the_lockfile_matches_package_json() -> None:
    outputs = render_project(load_ir("blog"))
    manifest = json.loads(outputs["package.json"])
    lock = json.loads(outputs["package-lock.json"])
    pins = _pins(manifest)
    assert all(version[0].isdigit() for version in pins.values()), pins  # no ^, ~ or ranges
    assert pins["@prisma/client"].startswith("7.") and pins["prisma"] == pins["@prisma/client"]
    assert _pins(lock["packages"][""]) == pins
    assert lock["name"] == manifest["name"]
    for package, version in pins.items():
        assert lock["packages"][f"node_modules/{package}"]["version"] == version


def test_the_lockfile_does_not_depend_on_the_ir() -> None:
    locks = {render(name)["package-lock.json"] for name in NAMES}
    assert len(locks) == 1


def test_the_target_is_registered_under_its_entry_point() -> None:
    (point,) = [p for p in entry_points(group="fastbackend.targets") if p.name == "express"]
    assert point.load() is TARGET
    assert TARGET.render(load_ir("blog")) == render_project(load_ir("blog"))


def test_a_relation_to_an_entity_the_api_does_not_serve_has_no_route_and_no_include() -> None:
    ir = load_ir("blog")
    tag = ir.entities["Tag"]
    unserved = without_routes(  # the operations decide the routes: decided again
        replace(ir, entities={**ir.entities, "Tag": replace(tag, api=replace(tag.api, operations=()))}))
    outputs = render_project(unserved)
    assert '"/posts/:key/tags"' not in outputs["src/routes/post.ts"]
    assert '"/posts/:key/comments"' in outputs["src/routes/post.ts"]
    tags_meta = next(line for line in outputs["src/meta.ts"].splitlines() if 'name: "tags"' in line)
    assert "exposed: false" in tags_meta
    assert "tagRouter" not in outputs["src/app.ts"]
