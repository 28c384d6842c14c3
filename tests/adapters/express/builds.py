"""The Express group's builds, started ahead on two threads while the group's other tests run.

`npm ci`, the support library and each emitted project (`prisma generate` + `tsc`) are
subprocesses: on threads they run beside the tests (tests/conftest.py runs the group's files that
need no build first). The group is the run's critical path on one xdist worker
(docs/testing.md), so its builds no longer add their wall time to it one after another. The
projects are built in the order the session's tests first ask for them (`ahead`: through a
fixture, a parameter or a name in the test's module), BATCH to a `tsc -b`; a project no test
announces, or one still queued behind others, is built when first asked for, on the asking
thread."""

from __future__ import annotations

import functools
import re
import subprocess
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from fastbackend_express import render_project
from tests.adapters.express.harness import BLOG_PROJECTS, IR_PATHS, ON_MYSQL, emit_project, load_ir, run
from tests.adapters.express.library import (
    FULL_BUILDS,
    LibraryBuild,
    build_library,
    compile_project,
    compile_projects,
    lint_library,
)

# Fixtures that stand for an IR's server (conftest.py), and the IR each serves.
SERVER_FIXTURES = {name: name for name in ("blog", "kitchen", "implicit", "one_sided", "blog_prisma",
                                           "views")}
# Files a user put in src/custom/ before building, per IR: they must be loaded, and win.
CUSTOM_FILES: dict[str, dict[str, str]] = {
    "implicit": {
        "override.ts": """import type { Express } from "express";
import type { PrismaClient } from "../generated/prisma/client.js";

export default function setup(app: Express, prisma: PrismaClient): void {
  app.get("/audit-entries", async (_req, res) => {
    res.json({ custom: true, labels: await prisma.label.count() });
  });
}
""",
        "_helpers.ts": "export const notASetupModule = 1;\n",  # skipped: starts with _
    },
}
# Projects type-checked by one `tsc -b`: the first of them waits for
# the others, and each more one saves about 2 CPU seconds (library.compile_projects).
BATCH = 4
KNOWN = frozenset({*IR_PATHS, *ON_MYSQL, *BLOG_PROJECTS})


def install_node_modules(folder: Path) -> Path:
    """`npm ci` from the emitted lockfile (it is the same for every IR); each emitted project
    links to this node_modules."""
    folder.mkdir(parents=True, exist_ok=True)
    outputs = render_project(load_ir("blog"))
    (folder / "package.json").write_text(outputs["package.json"], encoding="utf-8")
    (folder / "package-lock.json").write_text(outputs["package-lock.json"], encoding="utf-8")
    run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], folder)
    return folder / "node_modules"


def ahead(items: Iterable[pytest.Item]) -> list[str]:
    """The IRs whose servers the tests ask for, in the order of their first use: through a
    fixture or a parameter, or named in the test's module (`express_servers.get("events")`)."""
    names: dict[str, None] = {}
    for item in items:
        asked = [*_named_in(item.path)]
        asked += [SERVER_FIXTURES[name] for name in item.fixturenames if name in SERVER_FIXTURES]
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            asked += [value for value in callspec.params.values()
                      if isinstance(value, str) and value in KNOWN]
        names.update(dict.fromkeys(asked))
    return list(names)


@functools.cache
def _named_in(module: Path) -> tuple[str, ...]:
    quoted = re.findall(r'"([a-z0-9_]+)"', module.read_text("utf-8"))
    return tuple(dict.fromkeys(name for name in quoted if name in KNOWN))


class Builds:
    """node_modules, the library and the projects, each built once, on the pool's threads or,
    when a test needs one the pool has not started, on the test's own thread."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="express-build")
        self._lock = threading.Lock()
        # First in the queue, so a project build (queued behind them) never waits on a task
        # that has not started.
        self._node_modules = self._pool.submit(install_node_modules, folder / "express-deps")
        self._library = self._pool.submit(build_library, folder / "express-library" / "support")
        self._projects: dict[str, Future[Path]] = {}
        self._lint: Future[subprocess.CompletedProcess[str]] | None = None

    def node_modules(self) -> Path:
        return self._node_modules.result()

    def library(self) -> LibraryBuild:
        return self._library.result()

    def start(self, names: Iterable[str]) -> None:
        """Queues the builds of ``names``, in that order: a project built whole alone, the others
        BATCH at a time (library.compile_projects)."""
        with self._lock:
            fresh = {name: Future[Path]() for name in names if name not in self._projects}
            self._projects.update(fresh)
        batch: dict[str, Future[Path]] = {}
        for name, future in fresh.items():
            if name in FULL_BUILDS and batch:  # in the order given
                self._pool.submit(self._build_batch, batch)
                batch = {}
            batch[name] = future
            if len(batch) == BATCH or name in FULL_BUILDS:
                self._pool.submit(self._build_batch, batch)
                batch = {}
        if batch:
            self._pool.submit(self._build_batch, batch)

    def project(self, name: str) -> Path:
        """The emitted project of IR ``name``, generated and compiled."""
        with self._lock:
            future = self._projects.get(name)
            if future is None or future.cancel():  # not queued, or not started: built here
                future = self._projects[name] = Future()
                future.set_running_or_notify_cancel()
                ours = True
            else:
                ours = False
        if ours:
            try:
                project = self._emit(name)
                compile_project(project, self.node_modules(),
                                None if name in FULL_BUILDS else self.library())
                future.set_result(project)
            except BaseException as error:
                future.set_exception(error)
        return future.result()

    def _build_batch(self, futures: dict[str, Future[Path]]) -> None:
        try:
            self._build_all(futures)
        except BaseException as error:  # no test waits for ever on a build that went wrong
            for future in futures.values():
                if future.running():
                    future.set_exception(error)
            raise

    def _build_all(self, futures: dict[str, Future[Path]]) -> None:
        projects: dict[Path, Future[Path]] = {}
        for name, future in futures.items():
            if not future.set_running_or_notify_cancel():
                continue  # a test needed it first, and built it itself
            try:
                projects[self._emit(name)] = future
            except BaseException as error:
                future.set_exception(error)
        if not projects:
            return
        try:
            if FULL_BUILDS & futures.keys():  # built whole, alone in its batch (`start`)
                (project,) = projects
                compile_project(project, self.node_modules(), None)
                errors = {}
            else:
                errors = compile_projects(list(projects), self.node_modules(), self.library())
        except BaseException as error:
            for future in projects.values():
                future.set_exception(error)
            return
        for project, future in projects.items():
            if project in errors:
                future.set_exception(AssertionError(errors[project]))
            else:
                future.set_result(project)

    def _emit(self, name: str) -> Path:
        """The project of IR ``name`` with Prisma Client generated and the user's src/custom/."""
        project = emit_project(name, self.folder / "express-servers" / name, self.node_modules())
        for file_name, text in CUSTOM_FILES.get(name, {}).items():
            custom = project / "src" / "custom" / file_name
            custom.parent.mkdir(parents=True, exist_ok=True)
            custom.write_text(text, encoding="utf-8")
        return project

    def start_lint(self) -> None:
        """ESLint of the library, queued behind the projects (after its 40 s on the test's thread
        had been the group's longest call)."""
        with self._lock:
            if self._lint is None:
                self._lint = self._pool.submit(lambda: lint_library(self.library()))

    def lint(self) -> subprocess.CompletedProcess[str]:
        with self._lock:
            queued = self._lint is not None and not self._lint.cancel()
        if queued:
            assert self._lint is not None
            return self._lint.result()
        return lint_library(self.library())

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
