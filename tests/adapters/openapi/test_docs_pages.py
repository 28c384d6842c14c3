"""/docs and /redoc load Swagger UI and ReDoc from the runtime itself (fastapi-offline's files),
or from the CDN with FASTBACKEND_DOCS_ASSETS=cdn. The real-browser check: tests/clients."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from fastbackend_fastapi import create_app
from fastbackend_fastapi.settings import from_environment
from tests.adapters.openapi.conftest import TestClient, ir_named


def _client(tmp_path: Path, assets: str) -> TestClient:
    settings = replace(from_environment({}), docs_assets=assets)  # type: ignore[arg-type]
    return TestClient(create_app(ir_named("blog"), settings=settings, custom_path=None,
                                 database_url=f"sqlite+pysqlite:///{tmp_path / 'a.db'}"))


def _sources(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_pages_load_only_files_the_runtime_serves(tmp_path: Path) -> None:
    client = _client(tmp_path, "local")
    for page in ("/docs", "/redoc"):
        sources = _sources(client.get(page).text)
        assert sources and all(source.startswith("/docs-assets/") for source in sources)
        for source in sources:
            served = client.get(source)
            assert served.status_code == 200 and len(served.content) > 1000, source
    assert "validatorUrl" in client.get("/docs").text  # no badge fetched from swagger.io


def test_the_cdn_setting_loads_them_from_the_cdn(tmp_path: Path) -> None:
    client = _client(tmp_path, "cdn")
    assert all(source.startswith("https://") for source in _sources(client.get("/docs").text))
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 404


def test_the_setting_is_read_from_the_environment() -> None:
    assert from_environment({"FASTBACKEND_DOCS_ASSETS": "cdn"}).docs_assets == "cdn"
    assert from_environment({}).docs_assets == "local"
    with pytest.raises(ValueError, match="local or cdn"):
        from_environment({"FASTBACKEND_DOCS_ASSETS": "offline"})
