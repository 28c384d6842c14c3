"""CORS, the request body size limit and the security headers, from Security or the YAML file."""

from __future__ import annotations

import shutil
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastbackend_fastapi import Cors, Headers, Security, create_app
from tests.adapters.fastapi.conftest import BLOG, problem

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def _client(tmp_path: Path, security: Security | None = None,
            config: str | None = None) -> TestClient:
    (tmp_path / ".fastbackend").mkdir(exist_ok=True)
    shutil.copy(BLOG, tmp_path / ".fastbackend" / "ir.json")
    if config is not None:
        (tmp_path / "fastbackend.yaml").write_text(textwrap.dedent(config))
    return TestClient(create_app(tmp_path / ".fastbackend" / "ir.json", custom_path=None,
                                 security_settings=security))


@pytest.fixture
def default(tmp_path: Path) -> Iterator[TestClient]:
    with _client(tmp_path) as client:
        yield client


def test_default_security_headers_on_every_answer(default: TestClient) -> None:
    for response in (default.get("/users"), default.get("/users/999"), default.get("/nowhere")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in response.headers


def test_no_cors_headers_unless_configured(default: TestClient) -> None:
    response = default.get("/users", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_a_body_over_the_limit_is_413_problem_json(tmp_path: Path) -> None:
    with _client(tmp_path, Security(max_body_bytes=100)) as client:
        response = client.post("/users", json={"email": "a@x.io", "name": "n" * 200})
        assert response.status_code == 413
        assert problem(response)["type"] == "https://fastbackend.dev/problems/payload-too-large"
        assert client.post("/users", json={"email": "a@x.io", "name": "n"}).status_code == 201


def test_a_streamed_body_without_length_is_counted(tmp_path: Path) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"email": "a@x.io", '
        yield b'"name": "' + b"n" * 300 + b'"}'

    with _client(tmp_path, Security(max_body_bytes=100)) as client:
        response = client.post("/users", content=chunks(),
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert problem(response)["status"] == 413
        assert client.get("/users").json()["meta"]["total"] == 0


def test_a_bad_content_length_is_refused(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        response = client.post("/users", content=b"{}",
                               headers={"Content-Type": "application/json",
                                        "Content-Length": "abc"})
        assert response.status_code in (400, 413)


def test_cors_and_headers_from_python(tmp_path: Path) -> None:
    security = Security(cors=Cors(allow_origins=("https://app.example",)),
                        headers=Headers(frame_options=None, hsts_max_age=3600))
    with _client(tmp_path, security) as client:
        preflight = client.options("/users", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        other = client.get("/users", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        response = client.get("/users", headers={"Origin": "https://app.example"})
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        assert "etag" in response.headers["access-control-expose-headers"].lower()
        assert "x-frame-options" not in response.headers
        assert response.headers["strict-transport-security"] == "max-age=3600; includeSubDomains"


def test_cors_limits_and_headers_from_the_yaml_file(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTEND_ORIGIN", "https://front.example")
    config = """
    cors:
      allow_origins: ["${FRONTEND_ORIGIN}"]
      allow_credentials: true
    limits:
      max_body_bytes: 50
    headers:
      referrer_policy: same-origin
      content_type_options: false
    """
    with _client(tmp_path, config=config) as client:
        response = client.get("/users", headers={"Origin": "https://front.example"})
        assert response.headers["access-control-allow-origin"] == "https://front.example"
        assert response.headers["access-control-allow-credentials"] == "true"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "x-content-type-options" not in response.headers
        assert client.post("/users", json={"email": "a" * 60}).status_code == 413


def test_request_and_query_limits_from_the_yaml_file(tmp_path: Path) -> None:
    config = """
    limits:
      max_url_bytes: 100
      max_header_bytes: 2000
      max_query_params: 2
      max_where_depth: 1
      max_relation_depth: 1
      max_conditions: 2
      max_list_values: 3
      max_names: 2
    """
    with _client(tmp_path, config=config) as client:
        assert problem(client.get("/users?email=" + "a" * 100))["type"].endswith("/url-too-long")
        assert client.get("/users", headers={"X-A": "a" * 2000}).status_code == 431
        assert problem(client.get("/users?a=1&b=2&c=3"))["type"].endswith("/too-many-parameters")
        assert client.get("/users?id__in=1,2,3").status_code == 200
        for query in ("id__in=1,2,3,4", "sort=name,email,id", "fields=id,name,email",
                      'where={"NOT":{"NOT":{"id":1}}}', "posts.author.id=1",
                      'where={"id":1,"name":"a","email":"b"}'):
            assert client.get(f"/users?{query}").status_code == 400, query


@pytest.mark.parametrize("config, message", [
    ("limits:\n  max_url_bytes: 0\n", "limits.max_url_bytes must be at least 1"),
    ("limits:\n  max_names: many\n", "limits.max_names must be a number"),
    ("limits:\n  max_json_depth: 3\n", "unknown key 'max_json_depth' in limits"),
])
def test_a_wrong_limit_stops_the_app(tmp_path: Path, config: str, message: str) -> None:
    from fastbackend_contract.config import ConfigError

    with pytest.raises(ConfigError, match=message):
        _client(tmp_path, config=config)
