"""Every answer carries a request id (X-Request-ID), and every problem body the same one: the
client's own, else its traceparent's trace id, else a new one. JSON logs carry it too."""

from __future__ import annotations

import json
import re

import pytest
from starlette.testclient import TestClient

from fastbackend_fastapi.operations import logs
from tests.adapters.fastapi.conftest import problem
from tests.adapters.fastapi.operations.conftest import MakeOps

GENERATED = re.compile(r"[0-9a-f]{32}")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def client(make_ops: MakeOps) -> TestClient:
    return make_ops()


def test_a_generated_id_is_in_the_header_and_the_problem(client: TestClient) -> None:
    first, second = client.get("/posts/999"), client.get("/posts/999")
    assert GENERATED.fullmatch(first.headers["x-request-id"])
    assert problem(first)["request_id"] == first.headers["x-request-id"]
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_the_clients_id_is_kept(client: TestClient) -> None:
    response = client.get("/posts/999", headers={"X-Request-ID": "checkout-7f3a:retry=2"})
    assert response.headers["x-request-id"] == "checkout-7f3a:retry=2"
    assert problem(response)["request_id"] == "checkout-7f3a:retry=2"


def test_a_traceparent_gives_its_trace_id(client: TestClient) -> None:
    response = client.get("/posts/999", headers={"traceparent": TRACEPARENT})
    assert response.headers["x-request-id"] == TRACE_ID
    assert problem(response)["request_id"] == TRACE_ID


@pytest.mark.parametrize("sent", ["x" * 129, "has space", "é"])
def test_an_unusable_id_is_replaced(client: TestClient, sent: str) -> None:
    response = client.get("/posts/999", headers={"X-Request-ID": sent.encode()})
    assert GENERATED.fullmatch(response.headers["x-request-id"])
    assert problem(response)["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("traceparent", [f"00-{'0' * 32}-00f067aa0ba902b7-01", "01-bad", ""])
def test_an_invalid_traceparent_is_ignored(client: TestClient, traceparent: str) -> None:
    response = client.get("/posts/999", headers={"traceparent": traceparent})
    assert GENERATED.fullmatch(response.headers["x-request-id"])
    assert response.headers["x-request-id"] != "0" * 32


def test_success_and_refusals_before_routing_carry_it(client: TestClient) -> None:
    assert GENERATED.fullmatch(client.get("/posts").headers["x-request-id"])
    too_long = client.get("/posts?title=" + "x" * 9000, headers={"X-Request-ID": "r1"})
    assert too_long.status_code == 414
    assert problem(too_long)["request_id"] == "r1" == too_long.headers["x-request-id"]


def test_a_500_carries_it(client: TestClient) -> None:
    async def boom() -> None:
        raise RuntimeError("a bug")

    client.app.add_api_route("/boom", boom)  # type: ignore[attr-defined]
    quiet = TestClient(client.app, raise_server_exceptions=False)
    response = quiet.get("/boom", headers={"X-Request-ID": "bug-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "bug-1"
    assert problem(response)["request_id"] == "bug-1"


def test_json_logs_carry_it(make_ops: MakeOps, capsys: pytest.CaptureFixture[str]) -> None:
    client = make_ops({"logs": {"format": "json", "access": True}})
    try:
        capsys.readouterr()
        client.get("/posts/999", headers={"X-Request-ID": "log-1"})
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()
                 if line.startswith("{")]
    finally:
        logs.configure("text", "")  # the handler writes to this test's captured stderr
    access = [line for line in lines if line["logger"] == "fastbackend_fastapi.access"]
    assert len(access) == 1
    assert access[0]["request_id"] == "log-1"
    assert access[0]["route"] == "/posts/{key}"
    assert access[0]["status"] == 404
    assert access[0]["method"] == "GET"
    assert access[0]["duration_ms"] > 0
