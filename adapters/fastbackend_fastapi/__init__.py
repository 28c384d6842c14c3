"""The FastAPI runtime: serves the REST contract of an IR, with real persistence.

    from fastbackend_fastapi import create_app
    app = create_app(".fastbackend/ir.json")            # SQLite file beside the IR
    app = create_app(ir, database_url="postgresql+psycopg://...")

Extension points (docs/extending.md): `@override(path, method)` in app/custom/*.py replaces a
generated route; `Auth` / `ModelAuth` declare auth dependencies, row scope and filled fields;
`Security` sets CORS, the body size limit and the security headers.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastbackend_contract.config import ConfigError
    from fastbackend_fastapi.app import create_app
    from fastbackend_fastapi.auth import Auth, ModelAuth
    from fastbackend_fastapi.custom import OverrideError, override
    from fastbackend_fastapi.security import Cors, Headers, Security
    from fastbackend_fastapi.settings import Settings

__all__ = ["Auth", "ConfigError", "Cors", "Headers", "ModelAuth", "OverrideError", "Security",
           "Settings", "create_app", "override"]

# The public names load on first use (PEP 562), so that importing a submodule — the serve entry
# point that must catch SIGTERM at once, the compile targets, the lifecycle hooks — does not first
# pay for FastAPI and SQLAlchemy.
_HOMES = {  # a module of this package, or a dotted name elsewhere
    "ConfigError": "fastbackend_contract.config",  # fastbackend.yaml's, shared
    "create_app": "app", "Auth": "auth", "ModelAuth": "auth",
    "OverrideError": "custom", "override": "custom", "Cors": "security", "Headers": "security",
    "Security": "security", "Settings": "settings",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home if "." in home else f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
