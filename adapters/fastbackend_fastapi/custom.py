"""Discovery of hand-written routers: every `router` (an APIRouter) in custom_path/*.py.

They are included before the generated routes, so a custom route on the same path and method
wins. (@override and auth dependencies arrive with their own issue.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from fastapi import APIRouter, FastAPI


def _load(path: Path) -> ModuleType:
    name = f"fastbackend_custom_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load custom routes from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def discover(folder: Path | None) -> list[APIRouter]:
    if folder is None or not folder.is_dir():
        return []
    routers = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        router = getattr(_load(path), "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers


def include(app: FastAPI, folder: Path | None) -> None:
    for router in discover(folder):
        app.include_router(router)
