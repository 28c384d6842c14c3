"""An ASGI factory for servers: `uvicorn --factory fastbackend_fastapi.asgi:create_app_from_env`.

FASTBACKEND_IR names the IR file (default .fastbackend/ir.json); DATABASE_URL and the other
settings come from the environment too (settings.py). Each worker process builds its own app.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from fastbackend_fastapi.app import create_app

IR_VARIABLE = "FASTBACKEND_IR"
DEFAULT_IR = os.path.join(".fastbackend", "ir.json")


def create_app_from_env() -> FastAPI:
    custom = os.environ.get("FASTBACKEND_CUSTOM_PATH")
    if custom is not None:
        return create_app(os.environ.get(IR_VARIABLE, DEFAULT_IR), custom_path=custom)
    return create_app(os.environ.get(IR_VARIABLE, DEFAULT_IR))
