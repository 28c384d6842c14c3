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
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.adapters.express.harness import ROOT, TIMEOUT, run, step
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


def lint_library(library: LibraryBuild) -> subprocess.CompletedProcess[str]:
    """ESLint with typescript-eslint's type-aware rules over the built copy (its answer, whether
    or not it passed: test_library.py asserts)."""
    command = [str(node_tool("eslint")), "--max-warnings", "0", "."]
    with step("eslint of the library"):
        return subprocess.run(command, cwd=library.folder, capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)


def compile_project(project: Path, node_modules: Path, library: LibraryBuild | None) -> None:
    """`tsc -p .` in an emitted project; with ``library``, over its IR-dependent files only."""
    if library is not None:
        _declarations_for(project, library)
    run([str(node_modules / ".bin" / "tsc"), "-p", "."], project)
    if library is not None:
        _javascript_for(project, library)


def compile_projects(projects: list[Path], node_modules: Path, library: LibraryBuild) -> dict[Path, str]:
    """`compile_project` of several emitted projects (one folder's) in one `tsc -b`: each is its
    own program with its own tsconfig, as `tsc -p .` builds it, but the declarations they share
    (node's, Express', Prisma's runtime, the library's) are read once: 4 projects took 11.3 CPU
    seconds instead of 17.8. The type errors of each project that has any."""
    for project in projects:
        _declarations_for(project, library)
    folder = projects[0].parent
    assert all(project.parent == folder for project in projects), projects
    command = [str(node_modules / ".bin" / "tsc"), "-b", "--pretty", "false",
               *(project.name for project in projects)]
    with step(f"tsc -b of {len(projects)} projects: {', '.join(project.name for project in projects)}"):
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
    errors: dict[Path, str] = {}
    current: Path | None = None
    stray = False
    for line in (done.stdout + done.stderr).splitlines():
        current = next((project for project in projects if line.startswith(f"{project.name}/")),
                       current if line.startswith(" ") else None)
        if current is not None:
            errors[current] = errors.get(current, "") + line + "\n"
        stray = stray or current is None
    if done.returncode != 0 and (stray or not errors):  # an error of none in particular: all fail
        errors = dict.fromkeys(projects, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    for project in projects:
        if project not in errors:
            _javascript_for(project, library)
    return {project: f"tsc -b failed in {project.name}:\n{text}" for project, text in errors.items()}


def _declarations_for(project: Path, library: LibraryBuild) -> None:
    """src/lib/ as the library's declarations, for a `tsc` of the IR-dependent files only."""
    lib = project / "src" / "lib"
    for module in lib.glob("*.ts"):
        module.unlink()
    for declaration in library.compiled.glob("*.d.ts"):
        shutil.copy(declaration, lib)


def _javascript_for(project: Path, library: LibraryBuild) -> None:
    """dist/lib/: the library's JavaScript, the same for every IR."""
    dist = project / "dist" / "lib"
    dist.mkdir(parents=True, exist_ok=True)
    for compiled in [*library.compiled.glob("*.js"), *library.compiled.glob("*.js.map")]:
        shutil.copy(compiled, dist)
