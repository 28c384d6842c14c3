"""Hand-written routes: every `router` (an APIRouter) in app/custom/**/*.py, and @override.

Routers are included before the generated routes, so a custom route on the same path and method
wins; that is logged as a warning, because it is usually a mistake. ``@override(path, method)``
says it on purpose: the generated route is removed and the handler served in its place. Which
handlers override is decided by the decorator running at import (a commented-out decorator does
nothing), never by reading the text.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI
from starlette.routing import BaseRoute, Route

logger = logging.getLogger("fastbackend_fastapi")
Handler = TypeVar("Handler", bound=Callable[..., Any])
PARAMETER = re.compile(r"\{[^}]*\}")


class OverrideError(Exception):
    """An @override names a route that is not generated: a startup error."""


@dataclass(frozen=True)
class Override:
    path: str
    method: str
    handler: Callable[..., Any]
    module: str

    @property
    def signature(self) -> tuple[str, str]:
        return route_signature(self.path, self.method)


# Filled by @override while a custom module is being imported; drained by discover().
_PENDING: list[Override] = []


def override(path: str, method: str) -> Callable[[Handler], Handler]:
    """Serve the decorated handler instead of the generated route ``method path``.

    Path parameters may be named freely (`/users/{id}` replaces `/users/{key}`); the handler is
    a FastAPI endpoint, with dependencies, parameters and response models as usual.
    """
    def register(handler: Handler) -> Handler:
        _PENDING.append(Override(path, method.upper(), handler, handler.__module__))
        return handler

    return register


def route_signature(path: str, method: str) -> tuple[str, str]:
    """Paths compared without parameter names: `/users/{id}` is `/users/{key}`."""
    return PARAMETER.sub("{}", path), method.upper()


@dataclass
class CustomCode:
    routers: list[APIRouter]
    overrides: list[Override]

    def routes(self) -> list[BaseRoute]:
        return [route for router in self.routers for route in router.routes]


def _module_name(folder: Path, path: Path) -> str:
    parts = path.relative_to(folder).with_suffix("").parts
    return "fastbackend_custom." + ".".join(parts)


def forget_foreign_modules(project: Path) -> None:
    """Drop cached modules that a project's own packages shadow (an `app` imported from another
    project folder earlier in this process: tests, a dev server that switched projects)."""
    root = project.resolve()
    installed = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    for name, module in list(sys.modules.items()):
        top = name.partition(".")[0]
        if not ((root / top / "__init__.py").is_file() or (root / f"{top}.py").is_file()):
            continue
        file = getattr(module, "__file__", None)
        if file is None:
            continue
        where = Path(file).resolve()
        # Never an installed library's module, whatever the project names its folders.
        if not where.is_relative_to(root) and not any(where.is_relative_to(i) for i in installed):
            del sys.modules[name]


@contextmanager
def _importable(project: Path | None) -> Iterator[None]:
    """The project folder on sys.path while custom code loads (`from app.auth import ...`)."""
    if project is not None:
        forget_foreign_modules(project)
    root = str(project) if project is not None else None
    added = root is not None and root not in sys.path
    if added:
        sys.path.insert(0, str(root))
    try:
        yield
    finally:
        if added:
            sys.path.remove(str(root))


def _load(folder: Path, path: Path) -> ModuleType:
    name = _module_name(folder, path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load custom routes from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _module_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.py")
                  if not any(part.startswith("_") for part in path.relative_to(folder).parts))


def discover(folder: Path | None, project: Path | None = None) -> CustomCode:
    found = CustomCode([], [])
    if folder is None or not folder.is_dir():
        return found
    del _PENDING[:]
    with _importable(project):
        for path in _module_files(folder):
            router = getattr(_load(folder, path), "router", None)
            if isinstance(router, APIRouter):
                found.routers.append(router)
    found.overrides = list(_PENDING)
    del _PENDING[:]
    return found


def include(app: FastAPI, code: CustomCode) -> None:
    for router in code.routers:
        app.include_router(router)


def _route_signatures(routes: Iterable[BaseRoute]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Route):
            found.update(route_signature(route.path, m) for m in route.methods or ()
                         if m != "HEAD")
    return found


def warn_shadowed(custom_routes: list[BaseRoute], generated: list[Route]) -> None:
    shadowed = _route_signatures(custom_routes) & _route_signatures(generated)
    for path, method in sorted(shadowed):
        logger.warning("a custom route shadows the generated route %s %s; use "
                       "@override(%r, %r) to say it is meant", method, path, path, method)


def _remove_generated(app: FastAPI, generated: list[Route], signature: tuple[str, str]) -> str:
    """Remove the generated route; its path (with the runtime's parameter names)."""
    for route in generated:
        methods = route.methods or set()
        if route_signature(route.path, signature[1])[0] == signature[0] and signature[1] in methods:
            app.router.routes.remove(route)
            generated.remove(route)
            return route.path
    raise AssertionError(f"no generated route {signature}")  # checked by the caller


def apply_overrides(app: FastAPI, code: CustomCode, generated: list[Route],
                    checks: Callable[[str, str], list[Callable[..., Any]]]) -> None:
    """Swap each overridden generated route for its handler; OverrideError for unknown ones.

    The handler keeps the route's auth dependencies (``checks``): an override replaces what
    a route does, not who may call it.
    """
    known = _route_signatures(generated)
    for item in code.overrides:
        if item.signature not in known:
            raise OverrideError(
                f"@override({item.path!r}, {item.method!r}) in {item.module}: no generated "
                f"route {item.method} {item.path}; generated routes are "
                + ", ".join(f"{m} {p}" for p, m in sorted(known)))
        path = _remove_generated(app, generated, item.signature)
        dependencies = [Depends(check) for check in checks(path, item.method)]
        app.add_api_route(item.path, item.handler, methods=[item.method],
                          dependencies=dependencies)
