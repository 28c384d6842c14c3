"""The IRs every OpenAPI test runs on: the golden and test IRs, and the examples compiled."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path

from fastbackend.pipeline import compile_path
from fastbackend_ir import IR, load
from tests.conftest import GOLDEN, ROOT

with warnings.catch_warnings():
    # starlette asks for httpx2, which is not released for this stack yet; httpx works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient as TestClient  # re-exported for the tests

EXPRESS_IRS = ROOT / "tests" / "adapters" / "express" / "irs"


def _file(path: Path) -> Callable[[], IR]:
    return lambda: load(path)


def _compiled(source: Path) -> Callable[[], IR]:
    return lambda: compile_path(source)[1].ir


SOURCES: dict[str, Callable[[], IR]] = {
    "blog": _file(GOLDEN / "blog.ir.json"),
    "kitchen": _file(GOLDEN / "kitchen.ir.json"),
    "implicit": _file(EXPRESS_IRS / "implicit.ir.json"),
    "one_sided": _file(EXPRESS_IRS / "one_sided.ir.json"),
    "example_blog": _compiled(ROOT / "examples" / "blog" / "models.py"),
    "example_blog_prisma": _compiled(ROOT / "examples" / "blog-prisma" / "schema.prisma"),
}
NAMES = sorted(SOURCES)


@cache
def ir_named(name: str) -> IR:
    return SOURCES[name]()
