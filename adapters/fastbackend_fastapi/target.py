"""The `fastapi` compile target: an ASGI entry module beside ir.json that serves it."""

from __future__ import annotations

from fastbackend_ir import IR
from fastbackend_ir.target import Outputs, Target

ENTRY = '''"""ASGI entry point written by `fastbackend compile --target fastapi`; do not edit.

Serve it with:  uvicorn --app-dir .fastbackend asgi:app --workers 4
The API is built at startup from ir.json beside this file; DATABASE_URL selects the database.
"""

from pathlib import Path

from fastbackend_fastapi import create_app

app = create_app(Path(__file__).with_name("ir.json"))
'''


def render(ir: IR) -> Outputs:
    """The entry module does not depend on the IR's content: the runtime reads ir.json."""
    return {"asgi.py": ENTRY}


TARGET = Target(name="fastapi", description="FastAPI runtime entry point (asgi.py)", render=render)
