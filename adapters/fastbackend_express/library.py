"""The Express support library: the TypeScript modules every emitted project shares.

They live as real TypeScript in ``support/src/lib/`` (type-checked, linted and unit-tested once,
see docs/express.md) and are copied into each project's ``src/lib/`` byte for byte under a header
naming the version they came from. Only ``contract.ts`` is generated: from
``fastbackend_contract`` (tables, scalars) by ``make docs`` (``python -m fastbackend_express.library``), and
committed, so the library compiles on its own; a test fails when it is stale.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import jinja2

from fastbackend_contract import scalars, tables
from fastbackend_contract.ratelimit import TOKEN_BUCKET
from fastbackend_express.context import ts

SUPPORT = files("fastbackend_express") / "support"
LIBRARY = SUPPORT / "src" / "lib"
LIBRARY_DIR = "src/lib/"  # where the copies go in an emitted project
CONTRACT = "contract.ts"
CONTRACT_HEADER = ("// Generated from fastbackend_contract (tables, scalars) by `make docs` "
                   "(python -m fastbackend_express.library): do not edit.")


def copy_header(name: str) -> str:
    return (f"// Copied by fastbackend {version('fastbackend')} from its Express support library "
            f"(fastbackend_express/support/src/lib/{name}) — do not edit; put your code in src/custom/.")


def library_files() -> dict[str, str]:
    """Every module of the library as an emitted project holds it: relative path -> text."""
    return {LIBRARY_DIR + module.name: copy_header(module.name) + "\n" + module.read_text(encoding="utf-8")
            for module in _modules()}


def _modules() -> list[Traversable]:
    return sorted((entry for entry in LIBRARY.iterdir() if entry.name.endswith(".ts")),
                  key=lambda entry: entry.name)


def render_contract() -> str:
    """src/lib/contract.ts as the contract's tables make it today."""
    loader = jinja2.FileSystemLoader(str(SUPPORT))
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters["ts"] = ts
    return env.get_template("contract.ts.j2").render(header=CONTRACT_HEADER, tables=tables,
                                                        scalars=scalars, token_bucket=TOKEN_BUCKET)


def main() -> None:
    """Rewrites the library's contract.ts in a source checkout (``make docs``)."""
    target = Path(str(LIBRARY)) / CONTRACT
    text = render_contract()
    if target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
        print(f"rewrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
