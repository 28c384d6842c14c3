"""Every limit of the contract's table, read one way (fastbackend_contract.tables.LIMITS): its
environment variable, else fastbackend.yaml's `limits.<key>`, else the default. The Express
server reads the same variables (tests/adapters/express/test_limits.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from fastbackend_contract import config
from fastbackend_contract.tables import LIMITS, Limit
from fastbackend_fastapi import create_app
from fastbackend_ir import load

BLOG = Path(__file__).resolve().parents[2] / "golden" / "blog.ir.json"
TABLE_VARIABLES = [name for limit in LIMITS for name in (limit.env, *limit.aliases)]


@pytest.fixture(autouse=True)
def _no_limit_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TABLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _client(tmp_path: Path, yaml: str | None = None) -> TestClient:
    if yaml is not None:
        (tmp_path / "fastbackend.yaml").write_text(yaml)
    app = create_app(load(BLOG), database_url=f"sqlite+pysqlite:///{tmp_path / 'app.db'}",
                     custom_path=None, project_path=tmp_path)
    return TestClient(app)


def test_page_sizes_come_from_fastbackend_yaml(tmp_path: Path) -> None:
    client = _client(tmp_path, "limits:\n  default_limit: 3\n  max_page_size: 7\n")
    assert client.get("/users").json()["meta"]["limit"] == 3
    assert client.get("/users?limit=7").status_code == 200
    answer = client.get("/users?limit=8")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "query parameter 'limit': must be between 1 and 7"
    limit = client.get("/openapi.json").json()["components"]["parameters"]["limit"]
    assert limit["schema"]["maximum"] == 7


def test_the_variable_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTBACKEND_MAX_PAGE_SIZE", "9")
    monkeypatch.setenv("FASTBACKEND_MAX_NAMES", "2")
    client = _client(tmp_path, "limits:\n  max_page_size: 7\n  max_names: 5\n")
    assert client.get("/users?limit=9").status_code == 200
    assert client.get("/users?limit=10").status_code == 400
    answer = client.get("/users?sort=id,email,name")
    assert answer.json()["detail"] == "query parameter 'sort': more than 2 names"


def test_the_variables_apply_without_a_fastbackend_yaml(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the one table, the runtime read these only from fastbackend.yaml."""
    monkeypatch.setenv("FASTBACKEND_MAX_BODY_BYTES", "100")
    monkeypatch.setenv("FASTBACKEND_MAX_LIMIT", "4")  # the older name of max_page_size
    client = _client(tmp_path)
    answer = client.post("/users", content=b'{"email": "' + b"e" * 200 + b'"}',
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["detail"] == "the request body is larger than 100 bytes"
    assert client.get("/users?limit=5").status_code == 400


@pytest.mark.parametrize("limit", LIMITS, ids=lambda limit: limit.key)
def test_each_limit_is_read_in_the_same_order(limit: Limit) -> None:
    document = config.parse(f"limits:\n  {limit.key}: 7\n")
    section = config.Section(document, ("limits",), {})
    assert config.limits(config.Section(config.empty(), ("limits",), {}))[limit.key] == limit.default
    assert config.limits(section)[limit.key] == 7
    assert config.limits(config.Section(document, ("limits",), {limit.env: "11"}))[limit.key] == 11


@pytest.mark.parametrize(("name", "raw", "message"), [
    ("FASTBACKEND_MAX_NAMES", "0", 'FASTBACKEND_MAX_NAMES must be a whole number of at least 1, not "0"'),
    ("FASTBACKEND_MAX_BODY_BYTES", "1e6", "must be a whole number of at least 1"),
    ("FASTBACKEND_BODY_TIMEOUT_SECONDS", "-1", "must be a number of seconds above 0"),
])
def test_a_wrong_variable_stops_the_server_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      name: str, raw: str, message: str) -> None:
    monkeypatch.setenv(name, raw)
    with pytest.raises(ValueError, match=message):
        _client(tmp_path)
