"""The test IRs that have their schema in the repository are what the compiler makes of it today
(LibCST's test_codegen_clean: a stale generated file fails, naming how to regenerate it).

tests/golden/blog.ir.json is checked by tests/frontends/sqlalchemy/test_blog_golden.py. The
hand-written IRs (tests/golden/kitchen.ir.json, tests/adapters/express/irs/implicit.ir.json and
one_sided.ir.json) stay at IR 1.0 on purpose: they are the older IRs every adapter must still
serve (fastbackend_ir.names completes their constraint names).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fastbackend.pipeline import compile_path
from fastbackend_ir import dumps
from tests.conftest import ROOT

IRS = ROOT / "tests" / "adapters" / "express" / "irs"
COMPILED = {
    "blog_prisma": ROOT / "examples" / "blog-prisma",
    **{path.stem: path for path in sorted(IRS.glob("*.prisma"))},
}
REGENERATE = ("regenerate with: .venv/bin/python -c \"from fastbackend.pipeline import compile_path; "
              "from fastbackend_ir import dumps; import sys; "
              "open(sys.argv[2], 'w').write(dumps(compile_path(sys.argv[1])[1].ir))\" SOURCE IR")


@pytest.mark.parametrize("name", sorted(COMPILED))
def test_a_test_ir_with_its_schema_in_the_repository_is_current(name: str) -> None:
    source: Path = COMPILED[name]
    _, result = compile_path(source)
    assert dumps(result.ir) == (IRS / f"{name}.ir.json").read_text("utf-8"), (
        f"{name}.ir.json is stale; {REGENERATE} ({source.relative_to(ROOT)})")
