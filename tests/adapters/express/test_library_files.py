"""The support library as emitted projects receive it: copied byte for byte under a header,
its generated contract.ts current, and checked with the versions emitted projects pin."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

from fastbackend_contract import tables
from fastbackend_express import library
from fastbackend_fastapi.operations.config import SETTINGS, Setting
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


# --- The operations variables: the Express server reads the runtime's, with its defaults ---

# Where the library reads an operations variable, and the default each form gives it.
_READS: tuple[tuple[str, Callable[[re.Match[str]], object]], ...] = (
    (r'\bflag\("(\w+)"\)', lambda m: False),
    (r'\bchoice\("(\w+)", [^)]*?, "([^"]*)"\)', lambda m: m[2]),
    (r'\bpositive\("(\w+)", ([\d_.]+),', lambda m: float(m[2].replace("_", ""))),
    (r'\benv\.(\w+) \|\| "([^"]*)"', lambda m: m[2]),
    (r'\benv\.(\w+) \?\? ""\s*[,}]', lambda m: ""),
    # (env.X ?? "").trim(), then `raw === "" ? N`: the sample ratio's form
    (r'\benv\.(\w+) \?\? ""\)\.trim\(\);\s*const \w+ = raw === "" \? ([\d.]+)',
     lambda m: float(m[2])),
)
OPERATIONS_FILES = ("logs.ts", "operations.ts", "telemetry.ts", "tracing.ts")
OPERATIONS_SECTIONS = ("logs", "metrics", "tracing", "rate_limit")  # replicas: runtime only


def _express_operations_reads() -> dict[str, set[object]]:
    reads: dict[str, set[object]] = {}
    for name in OPERATIONS_FILES:
        text = (SOURCE / name).read_text("utf-8")
        for pattern, default in _READS:
            for found in re.finditer(pattern, text):
                reads.setdefault(found[1], set()).add(default(found))
    return reads


def _runtime_default(setting: Setting) -> object:
    return float(setting.default) if setting.kind in (int, float) else setting.default


def test_the_express_server_reads_the_runtimes_operations_variables_and_defaults() -> None:
    """docs/operations.md: both servers read the same variables with the same defaults. The
    runtime's table (operations/config.py) against the library's source, read as text."""
    reads = _express_operations_reads()
    runtime = {s.env: _runtime_default(s) for s in SETTINGS if s.path[0] in OPERATIONS_SECTIONS}
    express = {env: defaults for env, defaults in reads.items()
               if env in runtime or env.startswith(("FASTBACKEND_", "OTEL_"))}
    assert {env: {default} for env, default in runtime.items()} == express, (
        "the Express server reads another variable or default than the runtime's SETTINGS "
        "(or reads one in a form _READS does not know: add the form)")
