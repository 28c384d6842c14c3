"""/docs (Swagger UI) and /redoc (ReDoc), readable with no network.

FastAPI's own pages load their scripts from a CDN, so without internet they are blank. The
runtime serves the files itself, from the fastapi-offline package (a maintained wheel that tracks
Swagger UI's and ReDoc's releases; swagger-ui-bundle still ships Swagger UI 4). With
FASTBACKEND_DOCS_ASSETS=cdn the pages load them from FastAPI's default CDN instead.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from starlette.requests import Request
from starlette.staticfiles import StaticFiles

ASSETS = "/docs-assets"
DOCS, REDOC, OAUTH2_REDIRECT = "/docs", "/redoc", "/docs/oauth2-redirect"


def assets_folder() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def install(app: FastAPI, title: str, assets: str = "local") -> None:
    """The two pages (and Swagger UI's OAuth2 redirect), hidden from the document."""
    local = assets == "local"
    if local:
        app.mount(ASSETS, StaticFiles(directory=assets_folder()), name="docs-assets")

    def _root(request: Request) -> str:
        return str(request.scope.get("root_path", ""))

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        openapi_url, page = f"{root}/openapi.json", f"{title} - Swagger UI"
        redirect = f"{root}{OAUTH2_REDIRECT}"
        if not local:
            return get_swagger_ui_html(openapi_url=openapi_url, title=page,
                                       oauth2_redirect_url=redirect)
        return get_swagger_ui_html(openapi_url=openapi_url, title=page,
                                   oauth2_redirect_url=redirect,
                                   swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
                                   swagger_ui_parameters={"validatorUrl": None})

    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        if not local:
            return get_redoc_html(openapi_url=f"{root}/openapi.json", title=f"{title} - ReDoc")
        return get_redoc_html(openapi_url=f"{root}/openapi.json", title=f"{title} - ReDoc",
                              redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
                              redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
                              with_google_fonts=False)

    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    for path, endpoint in ((DOCS, swagger_ui), (OAUTH2_REDIRECT, oauth2_redirect),
                           (REDOC, redoc)):
        app.add_api_route(path, endpoint, methods=["GET"], include_in_schema=False)
