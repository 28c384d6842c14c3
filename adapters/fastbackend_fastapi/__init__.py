"""The FastAPI runtime: serves the REST contract of an IR, with real persistence.

    from fastbackend_fastapi import create_app
    app = create_app(".fastbackend/ir.json")            # SQLite file beside the IR
    app = create_app(ir, database_url="postgresql+psycopg://...")

Extension points (docs/extending.md): `@override(path, method)` in app/custom/*.py replaces a
generated route; `Auth` / `ModelAuth` declare auth dependencies, row scope and filled fields;
`Security` sets CORS, the body size limit and the security headers.
"""

from fastbackend_fastapi.app import create_app
from fastbackend_fastapi.auth import Auth, ModelAuth
from fastbackend_fastapi.config import ConfigError
from fastbackend_fastapi.custom import OverrideError, override
from fastbackend_fastapi.security import Cors, Headers, Security
from fastbackend_fastapi.settings import Settings

__all__ = ["Auth", "ConfigError", "Cors", "Headers", "ModelAuth", "OverrideError", "Security",
           "Settings", "create_app", "override"]
