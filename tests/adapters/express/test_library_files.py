"""The support library as emitted projects receive it: copied byte for byte under a header,
its generated contract.ts current, and checked with the versions emitted projects pin."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest

from fastbackend_contract import tables
from fastbackend_express import library
from tests.adapters.express.harness import ROOT, render

SOURCE = ROOT / "adapters" / "fastbackend_express" / "support" / "src" / "lib"
REGENERATE = "make docs"  # python -m fastbackend_express.library


def test_every_library_module_is_copied_verbatim_under_a_header_naming_its_version() -> None:
    outputs = render("kitchen")
    copied = {path: text for path, text in outputs.items() if path.startswith("src/lib/")}
    assert sorted(copied) == sorted(f"src/lib/{path.name}" for path in SOURCE.glob("*.ts"))
    for path, text in copied.items():
        header, body = text.split("\n", 1)
        assert body == (SOURCE / Path(path).name).read_text("utf-8")
        assert header == library.copy_header(Path(path).name)
        assert f"by fastbackend {version('fastbackend')} from" in header and "do not edit" in header


def test_the_generated_contract_module_is_current() -> None:
    committed = (SOURCE / library.CONTRACT).read_text("utf-8")
    assert committed == library.render_contract(), f"contract.ts is stale: run `{REGENERATE}`"


def test_the_contract_module_follows_the_contract_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the staleness check relies on: a changed row of the tables changes the rendering."""
    before = library.render_contract()
    monkeypatch.setattr(tables, "MAX_BATCH", tables.MAX_BATCH + 1)
    after = library.render_contract()
    assert f"MAX_BATCH = {tables.MAX_BATCH}" in after and after != before


SHARED = ("@noble/hashes", "@prisma/client", "@types/express", "@types/node", "express", "prisma",
          "typescript", "zod")


def test_the_library_is_checked_with_the_versions_emitted_projects_pin() -> None:
    """The repository's package.json installs what the library's own check compiles against."""
    emitted = json.loads(render("blog")["package.json"])
    pinned = {**emitted["dependencies"], **emitted["devDependencies"]}
    ours = json.loads((ROOT / "package.json").read_text("utf-8"))["devDependencies"]
    assert {name: ours.get(name) for name in SHARED} == {name: pinned[name] for name in SHARED}


FIXTURES = ROOT / "adapters" / "fastbackend_express" / "support"


@pytest.mark.parametrize("path", ["src/meta.ts", "prisma/schema.prisma"])
def test_the_librarys_fixtures_are_the_blogs_files_as_the_emitter_renders_them(path: str) -> None:
    """The library compiles against the blog's IR-dependent modules: when the emitter renders
    them differently (a new field role in meta.ts), the fixture must follow, or the library is
    checked against a project nobody emits."""
    fixture = (FIXTURES / path).read_text("utf-8")
    _, rendered = render("blog")[path].split("\n", 1)  # the fixture says what it is instead
    assert fixture.endswith(rendered), f"support/{path} is stale: copy it from a rendering of " \
        "the blog (tests/adapters/express/harness.py render), below its two comment lines"
