"""The API's own description, decided once: fastbackend.yaml's `api` into the IR's `api`.

    api:
      title: Blog API            # default: the project's name (pyproject.toml's, else its folder's)
      version: 1.2.0
      description: Posts, comments and their authors.
      servers:
        - https://api.example.com
        - {url: http://localhost:8000, description: local}

Only a project (a folder with fastbackend.yaml) has a name: without the file the IR has no `api`
and the OpenAPI emitter says "FastBackend API". The title is what client generators name their
package after (openapi-python-client: ``blog_api_client``).
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastbackend.config import Document
from fastbackend_ir import IR, ApiInfo, Server

KEYS = ("title", "version", "description", "servers")
PYPROJECT = "pyproject.toml"


def apply(ir: IR, document: Document, root: Path) -> IR:
    """The IR with ``api`` decided; ConfigError (FB401/FB402) at a wrong key or value."""
    raw = document.data.get("api")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise document.error(("api",), "FB402", "api must be a mapping")
    for key in raw:
        if key not in KEYS:
            raise document.error(("api", key), "FB401", f"unknown key {key!r} in api; known: "
                                 + ", ".join(sorted(KEYS)), at_key=True)
    title = _text(document, "title", raw.get("title")) or project_name(root)
    return replace(ir, api=ApiInfo(
        title=title, version=_text(document, "version", raw.get("version")),
        description=_text(document, "description", raw.get("description")),
        servers=_servers(document, raw.get("servers"))))


def _text(document: Document, key: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and key == "version":
        value = str(value)  # `version: 2` or `version: 1.5` in YAML: the text was meant
    if not isinstance(value, str) or not value.strip():
        raise document.error(("api", key), "FB402", f"api.{key} must be a non-empty string")
    return value.strip()


def _servers(document: Document, raw: Any) -> tuple[Server, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise document.error(("api", "servers"), "FB402", "api.servers must be a list of URLs")
    return tuple(_server(document, ("api", "servers", i), item) for i, item in enumerate(raw))


def _server(document: Document, path: tuple[str | int, ...], item: Any) -> Server:
    if isinstance(item, str) and item.strip():
        return Server(url=item.strip())
    if isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"].strip():
        unknown = sorted(set(item) - {"url", "description"})
        if unknown:
            raise document.error((*path, unknown[0]), "FB401", f"unknown key {unknown[0]!r} in "
                                 "a server; known: description, url", at_key=True)
        description = item.get("description")
        if description is not None and not isinstance(description, str):
            raise document.error((*path, "description"), "FB402", "a server's description is "
                                 "a string")
        return Server(url=item["url"].strip(), description=description)
    raise document.error(path, "FB402", "a server is a URL, or a mapping with `url` and an "
                         "optional `description`")


def project_name(root: Path) -> str:
    """pyproject.toml's [project] name beside fastbackend.yaml, else the folder's name."""
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        try:
            name = tomllib.loads(pyproject.read_text("utf-8")).get("project", {}).get("name")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, AttributeError):
            name = None
        if isinstance(name, str) and name.strip():
            return name.strip()
    return root.resolve().name or "api"
