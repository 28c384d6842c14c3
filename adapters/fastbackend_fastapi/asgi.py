"""An ASGI factory for servers: `uvicorn --factory fastbackend_fastapi.asgi:create_app_from_env`.

FASTBACKEND_IR names the IR file (default .fastbackend/ir.json); DATABASE_URL and the other
settings come from the environment too (settings.py). Each worker process builds its own app.
A wrong fastbackend.yaml or @override, or a schema whose SQL defaults this database cannot run,
stops the server with its message and exit code 2 (a configuration error), not a traceback.
"""

from __future__ import annotations

import os
import sys

from fastapi import FastAPI

from fastbackend_contract.config import ConfigError
from fastbackend_fastapi.app import create_app
from fastbackend_fastapi.custom import OverrideError
from fastbackend_fastapi.database import UnsupportedSQL
from fastbackend_fastapi.events import EventsConfigError

IR_VARIABLE = "FASTBACKEND_IR"
DEFAULT_IR = os.path.join(".fastbackend", "ir.json")
CONFIGURATION_ERROR = 2


def create_app_from_env() -> FastAPI:
    try:
        return _create()
    except ConfigError as error:
        print(error, file=sys.stderr)
    except OverrideError as error:
        print(f"error: {error}", file=sys.stderr)
    except (UnsupportedSQL, EventsConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
    raise SystemExit(CONFIGURATION_ERROR)


def _create() -> FastAPI:
    custom = os.environ.get("FASTBACKEND_CUSTOM_PATH")
    if custom is not None:
        return create_app(os.environ.get(IR_VARIABLE, DEFAULT_IR), custom_path=custom)
    return create_app(os.environ.get(IR_VARIABLE, DEFAULT_IR))
