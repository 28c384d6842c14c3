"""What the Express tests share: the test IRs, and emitting a project and running its tools."""

from __future__ import annotations

import functools
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from fastbackend_express import render_project
from fastbackend_ir import IR, Database, load
from tests.conftest import GOLDEN

ROOT = Path(__file__).resolve().parents[3]

HERE = Path(__file__).resolve().parent
IR_PATHS: dict[str, Path] = {
    "blog": GOLDEN / "blog.ir.json",
    "kitchen": GOLDEN / "kitchen.ir.json",
    **{path.name.removesuffix(".ir.json"): path for path in sorted((HERE / "irs").glob("*.ir.json"))},
}


# IRs compiled from a Prisma schema that the project carries along as prisma/schema.prisma.
SOURCES: dict[str, Path] = {"blog_prisma": ROOT / "examples" / "blog-prisma" / "schema.prisma",
                            "prisma6_shop": HERE / "irs" / "prisma6_shop.prisma"}


# The same IRs served on MySQL / MariaDB: the IR with a mysql datasource, as a Prisma schema with
# `provider = "mysql"` compiles (the emitter decides the database from it: dialect.py).
ON_MYSQL: dict[str, str] = {"blog_mysql": "blog", "kitchen_mysql": "kitchen", "realtime_mysql": "realtime",
                            "search_mysql": "search"}
# blog_mysql is compiled as a user's project is: the blog's SQLAlchemy models (the golden IR's
# source) with a fastbackend.yaml that chooses MariaDB (docs/configuration.md, "database").
BLOG_MODELS = ROOT / "examples" / "blog" / "models.py"
CHOOSES_MARIADB = "database:\n  provider: mariadb\n"
# blog_limits: the blog's models.py beside a fastbackend.yaml with per-route rate limits, which
# the compiler records on the routes (IR 1.8) and both servers apply (test_rate_limits.py).
LIMITS_ROUTES = ("operations:\n  rate_limit:\n    routes:\n"
                 '      "GET /users/{key}": {requests: 3, window_seconds: 30}\n'
                 '      "POST /tags": {requests: 1, window_seconds: 90}\n')
BLOG_PROJECTS = {"blog_mysql": CHOOSES_MARIADB, "blog_limits": LIMITS_ROUTES}


def ir_path(name: str) -> Path:
    """The IR file of ``name`` (a MySQL variant's is its PostgreSQL IR's: migrate reads the URL;
    a blog project's, the blog's: the same tables)."""
    return IR_PATHS["blog" if name in BLOG_PROJECTS else ON_MYSQL.get(name, name)]


@functools.cache
def sqlalchemy_project(name: str) -> IR:
    """The blog's models.py compiled beside the fastbackend.yaml of BLOG_PROJECTS[name], as
    `fastbackend compile --target express` compiles that project."""
    from fastbackend.pipeline import compile_path

    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(BLOG_MODELS, Path(folder) / "models.py")
        (Path(folder) / "fastbackend.yaml").write_text(BLOG_PROJECTS[name], "utf-8")
        _, result = compile_path(folder)
    # A project's folder names its API (passes/info.py); the golden IR the runtime serves beside
    # it has none, and the parity suite compares both servers' answers.
    return replace(result.ir, api=None)


def load_ir(name: str) -> IR:
    if name in BLOG_PROJECTS:
        return sqlalchemy_project(name)
    if name in ON_MYSQL:
        return replace(load(IR_PATHS[ON_MYSQL[name]]), database=Database(provider="mysql"))
    return load(IR_PATHS[name])


def render(name: str) -> dict[str, str]:
    """The project of IR ``name`` as `fastbackend compile --target express` writes it (with the
    source schema's text, where the IR came from one Prisma file)."""
    source = SOURCES.get(name)
    texts = {source.name: source.read_text("utf-8")} if source is not None else None
    return render_project(load_ir(name), texts)


PRISMA_OFFLINE = {
    # `prisma generate` wants a schema-engine binary it cannot download here; it does not need it.
    "PRISMA_SCHEMA_ENGINE_BINARY": "/bin/true",
    "PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING": "1",
    "PRISMA_HIDE_UPDATE_MESSAGE": "1",
    "CHECKPOINT_DISABLE": "1",
}
TIMEOUT = 600


@contextmanager
def step(what: str) -> Iterator[None]:
    """With FASTBACKEND_EXPRESS_STEPS=path, appends each build step's wall and CPU seconds (its
    waited-for children's) to that file: where the Express group's time goes (docs/testing.md)."""
    log = os.environ.get("FASTBACKEND_EXPRESS_STEPS")
    if not log:
        yield
        return
    wall, cpu = time.monotonic(), _children_cpu()
    yield
    with open(log, "a", encoding="utf-8") as file:
        file.write(f"{time.monotonic() - wall:.2f}\t{_children_cpu() - cpu:.2f}\t{what}\n")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Runs a command; a failure shows its output in the test report."""
    with step(f"{Path(command[0]).name} {' '.join(command[1:3])} in {cwd.name}"):
        result = subprocess.run(command, cwd=cwd, env={**os.environ, **PRISMA_OFFLINE, **(env or {})},
                                capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def write_project(outputs: dict[str, str], folder: Path) -> Path:
    for path, text in outputs.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


def emit_project(name: str, folder: Path, node_modules: Path) -> Path:
    """The emitted project for IR ``name`` in ``folder``, with Prisma Client generated."""
    write_project(render(name), folder)
    (folder / "node_modules").symlink_to(node_modules, target_is_directory=True)
    run([str(node_modules / ".bin" / "prisma"), "generate"], folder)
    return folder
