"""The support library as emitted projects receive it: copied byte for byte under a header,
its generated contract.ts current, and checked with the versions emitted projects pin."""

from __future__ import annotations

import dataclasses
import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from fastbackend_contract import tables
from fastbackend_express import library
from fastbackend_fastapi.operations.config import KINDS, SETTINGS
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


# --- The operations variables: one table (fastbackend_contract.tables) for both servers ---

OPERATIONS_FILES = ("logs.ts", "operations.ts", "settings.ts", "telemetry.ts", "tracing.ts")
OPERATIONS_SECTIONS = ("logs", "metrics", "tracing", "rate_limit")  # replicas: runtime only
# A variable read by its name in the library's code: `env.X`, `env["X"]`, or the name as a
# string literal (a comment may name it).
_LITERAL_READ = r"""\benv\.({names})\b|["'`]({names})["'`]"""


def test_the_runtime_reads_the_contracts_operations_variables_and_defaults() -> None:
    """docs/operations.md: both servers read the same variables with the same defaults and
    choices; the runtime's table (operations/config.py) takes them from the contract's."""
    runtime = {".".join(s.path): (s.env, s.kind, s.default, s.choices) for s in SETTINGS
               if s.path[0] in OPERATIONS_SECTIONS}
    assert runtime == {row.key: (row.env, KINDS[row.kind], row.default, row.choices)
                       for row in tables.OPERATIONS_SETTINGS}


def test_the_express_server_reads_its_operations_variables_from_the_contract_only() -> None:
    """The library spells no operations variable (nor any FASTBACKEND_/OTEL_ variable in its
    operations modules): it reads each through lib/settings.ts by its contract key, and reads
    every key of the table. A hand-written read (`process.env.FASTBACKEND_METRICS_PATH ||
    "/metrics"`) is how the two servers drifted before."""
    names = "|".join(re.escape(row.env) for row in tables.OPERATIONS_SETTINGS)
    texts = {path.name: path.read_text("utf-8") for path in SOURCE.glob("*.ts")
             if path.name != library.CONTRACT}
    for name, text in texts.items():
        assert not re.search(_LITERAL_READ.format(names=names), text), name
        if name in OPERATIONS_FILES:
            assert not re.search(r"\benv(\.|\[\s*[\"'`])(FASTBACKEND|OTEL)_", text), name
    code = "\n".join(texts.values())
    unread = [row.key for row in tables.OPERATIONS_SETTINGS if f'"{row.key}"' not in code]
    assert unread == [], "contract rows the Express server does not read"


def test_the_contract_module_follows_the_operations_settings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    first = tables.OPERATIONS_SETTINGS[0]
    changed = dataclasses.replace(first, default="json")
    monkeypatch.setattr(tables, "OPERATIONS_SETTINGS",
                        (changed, *tables.OPERATIONS_SETTINGS[1:]))
    assert f'"{first.key}": {{ env: "{first.env}", default: "json",' in library.render_contract()
