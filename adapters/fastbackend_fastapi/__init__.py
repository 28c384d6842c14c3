"""The FastAPI runtime: serves the REST contract of an IR, with real persistence.

    from fastbackend_fastapi import create_app
    app = create_app(".fastbackend/ir.json")            # SQLite file beside the IR
    app = create_app(ir, database_url="postgresql+psycopg://...")
"""

from fastbackend_fastapi.app import create_app
from fastbackend_fastapi.settings import Settings

__all__ = ["Settings", "create_app"]
