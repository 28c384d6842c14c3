"""The Express support library on its own, once: a strict type-check (with its fixtures and unit
tests), ESLint with typescript-eslint's type-aware rules, and its unit tests on node:test.
`make express-support` runs the same steps in the source tree (docs/express.md)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.adapters.express.harness import run
from tests.adapters.express.library import LibraryBuild

pytestmark = [pytest.mark.node, pytest.mark.slow]


def test_the_library_typechecks_with_its_unit_tests(express_library: LibraryBuild) -> None:
    # the fixture's `tsc -p . --declaration` ran to the end: no type error, everything emitted
    source = express_library.folder / "src" / "lib"
    modules = {path.name.removesuffix(".ts") for path in source.glob("*.ts")}
    assert {path.name.removesuffix(".d.ts") for path in express_library.compiled.glob("*.d.ts")} == modules
    assert len(express_library.tests) >= 8


def test_the_library_is_lint_clean(express_library_lint: subprocess.CompletedProcess[str]) -> None:
    assert express_library_lint.returncode == 0, express_library_lint.stdout + express_library_lint.stderr


def test_the_library_passes_its_unit_tests(express_library: LibraryBuild) -> None:
    node = shutil.which("node") or "node"
    output = run([node, "--test", *map(str, express_library.tests)], express_library.folder).stdout
    counts = {name: int(count) for name, count in re.findall(r"^# (pass|fail) (\d+)$", output, re.MULTILINE)}
    assert counts["fail"] == 0
    assert counts["pass"] >= 50, output[-2000:]
