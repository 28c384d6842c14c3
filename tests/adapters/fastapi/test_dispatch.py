"""The route index (dispatch.py) picks the route FastAPI's router picks, for every route."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from starlette.requests import Request
from starlette.routing import BaseRoute, Match, Route
from starlette.testclient import TestClient

from fastbackend_fastapi.dispatch import RouteIndex
from tests.adapters.fastapi.conftest import BLOG, KITCHEN, start_app

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "BREW")


def _first_full(routes: list[BaseRoute], scope: dict[str, Any]) -> BaseRoute | None:
    """What FastAPI's router does: the first route that matches fully, in order."""
    for route in routes:
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


def _paths(app: FastAPI) -> set[str]:
    """Every route's path with its parameters filled (a key, and the words a key may not be),
    and paths no route has."""
    paths = {"/", "/nope", "/nope/1", "//", "/docs-assets/swagger-ui.css", "/posts/"}
    for route in app.router.routes:
        template = getattr(route, "path", "/")
        for value in ("1", "bulk", "query", "aggregate"):
            paths.add(re.sub(r"\{[^}]+\}", value, template))
    return paths


@pytest.mark.parametrize("ir", [BLOG, KITCHEN], ids=["blog", "kitchen"])
def test_the_index_picks_the_routers_route(ir: Path, tmp_path: Path) -> None:
    app = start_app(ir, f"sqlite+pysqlite:///{tmp_path / 'app.db'}", custom_path=None)
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    routes = app.router.routes
    checked = 0
    for path in sorted(_paths(app)):
        for method in METHODS:
            scope = {"type": "http", "path": path, "root_path": "", "method": method}
            expected = _first_full(routes, scope)
            found = index.route_for(scope)
            assert (found.routes[0] if found else None) is expected, (method, path)
            checked += expected is not None
    assert checked > len(routes)  # most routes were reached, several ways


def test_the_index_picks_the_routers_route_for_paths_of_every_shape(tmp_path: Path) -> None:
    """The index skips a route by its path's length before asking its regular expression:
    a catch-all `path` parameter, an `int` one and a static path of several segments beside
    the generated routes are still found as the router finds them."""
    app = start_app(BLOG, f"sqlite+pysqlite:///{tmp_path / 'app.db'}", custom_path=None)

    async def mine(request: Request) -> PlainTextResponse:
        return PlainTextResponse("mine")

    for template in ("/files/{rest:path}", "/posts/{key}/stats/{n:int}", "/posts/recent/top",
                     "/{anything:path}"):
        app.router.routes.append(Route(template, mine, methods=["GET"]))
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    routes = app.router.routes
    for path in ("/files/a/b/c", "/files/a", "/files/", "/posts/1/stats/2", "/posts/1/stats/x",
                 "/posts/recent/top", "/posts/recent", "/posts/1/comments/9", "/a/b/c/d",
                 "/posts/1", "/posts"):
        scope = {"type": "http", "path": path, "root_path": "", "method": "GET"}
        expected = _first_full(routes, scope)
        found = index.route_for(scope)
        assert expected is not None
        assert (found.routes[0] if found else None) is expected, path


def test_the_index_follows_changes_to_the_routes(tmp_path: Path) -> None:
    """A route put in front of a generated one after start-up (as an override does) answers."""
    app = start_app(BLOG, f"sqlite+pysqlite:///{tmp_path / 'app.db'}", custom_path=None)
    with TestClient(app) as client:
        assert client.get("/users/1").status_code == 404  # the generated read: no such user
        assert client.put("/users").status_code == 405

        async def mine(request: Request) -> PlainTextResponse:
            return PlainTextResponse(f"mine {request.path_params['key']}")

        app.router.routes.insert(0, Route("/users/{key}", mine, methods=["GET"]))
        assert client.get("/users/1").text == "mine 1"
        del app.router.routes[0]
        assert client.get("/users/1").status_code == 404
