"""OpenAPI's ``info`` and ``servers``, from the IR's ``api`` (fastbackend.yaml, decided by the
compiler). An IR without one (no fastbackend.yaml) gets the defaults below."""

from __future__ import annotations

from typing import Any

from fastbackend_ir import IR, ApiInfo

DEFAULT_TITLE = "FastBackend API"
DEFAULT_VERSION = "0.1.0"


def info(ir: IR) -> dict[str, Any]:
    api = ir.api
    found: dict[str, Any] = {"title": api.title if api else DEFAULT_TITLE,
                             "version": (api.version if api else None) or DEFAULT_VERSION}
    if api is not None and api.description:
        found["description"] = api.description
    return found


def servers(api: ApiInfo) -> list[dict[str, str]]:
    return [{"url": server.url, **({"description": server.description}
                                   if server.description else {})} for server in api.servers]
