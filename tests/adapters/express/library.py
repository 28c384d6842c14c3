"""The Express support library, built once per test session, and emitted projects built on it.

The library is the same TypeScript in every emitted project (src/lib/, copied by the emitter), so
the tests type-check, lint and unit-test it once (test_library.py), in a copy of its own project
(adapters/fastbackend_express/support, on the repository's node_modules), with declarations. An
emitted project's `tsc` then reads those declarations in place of src/lib/*.ts: it checks only the
files the IR decides, and the library's JavaScript, which does not depend on the IR, is added to
dist/lib/ from the same build. One IR is still built whole, as a user builds it, and its dist/lib/
is compared with the prebuilt one (test_typescript.py).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.adapters.express.harness import ROOT, run
from tests.services import unavailable

SUPPORT = ROOT / "adapters" / "fastbackend_express" / "support"
NODE_MODULES = ROOT / "node_modules"
# Built whole, as `npm run build` builds it: the check that the prebuilt library is the same.
FULL_BUILDS = frozenset({"blog"})


def node_tool(name: str) -> Path:
    tool = NODE_MODULES / ".bin" / name
    if not tool.exists():
        unavailable(f"{name} is missing from node_modules (make setup runs npm ci)")
    return tool


@dataclass(frozen=True)
class LibraryBuild:
    folder: Path  # the copy of support/, compiled

    @property
    def compiled(self) -> Path:
        """The library's JavaScript and declarations."""
        return self.folder / "build" / "src" / "lib"

    @property
    def tests(self) -> list[Path]:
        return sorted((self.folder / "build" / "test").glob("*.test.js"))


def build_library(folder: Path) -> LibraryBuild:
    """Prisma Client for the fixture schema, then one strict `tsc` over the library, its fixtures
    and its unit tests, with declarations; a type error fails here."""
    shutil.copytree(SUPPORT, folder, ignore=shutil.ignore_patterns("build", "generated"))
    (folder / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    run([str(node_tool("prisma")), "generate"], folder)
    run([str(node_tool("tsc")), "-p", ".", "--declaration"], folder)
    return LibraryBuild(folder)


def compile_project(project: Path, node_modules: Path, library: LibraryBuild | None) -> None:
    """`tsc -p .` in an emitted project; with ``library``, over its IR-dependent files only."""
    lib = project / "src" / "lib"
    if library is not None:
        for module in lib.glob("*.ts"):
            module.unlink()
        for declaration in library.compiled.glob("*.d.ts"):
            shutil.copy(declaration, lib)
    run([str(node_modules / ".bin" / "tsc"), "-p", "."], project)
    if library is not None:
        dist = project / "dist" / "lib"
        dist.mkdir(parents=True, exist_ok=True)
        for compiled in [*library.compiled.glob("*.js"), *library.compiled.glob("*.js.map")]:
            shutil.copy(compiled, dist)
