"""`GET /`: a redirect to the API's docs, so the address `fastbackend dev` prints opens on
something (it was a 404). FASTBACKEND_ROOT_REDIRECT names another target, or none.

Added after the custom routes, so a project's own `/` wins; hidden from the OpenAPI document.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response


def install(app: FastAPI, target: str) -> None:
    if not target:
        return

    async def root(request: Request) -> Response:
        # Behind a proxy that mounts the app under a prefix, the docs are under it too.
        prefix = request.scope.get("root_path", "") if target.startswith("/") else ""
        return RedirectResponse(prefix + target, status_code=307)

    app.add_api_route("/", root, methods=["GET", "HEAD"], include_in_schema=False,
                      response_model=None)
