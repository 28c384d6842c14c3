"""Delivery by the server's own worker to a real webhook endpoint: signed as Standard Webhooks
says (checked by its reference implementation), in order per row, retried with backoff,
dead-lettered after max_attempts; a missing secret stops startup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from fastbackend_fastapi import create_app
from fastbackend_fastapi.events import EventsConfigError
from tests.adapters.fastapi.conftest import TestClient
from tests.events.conftest import SECRET, Receiver, compile_project, outbox, wait_for

StartApp = Callable[[Path, str], TestClient]


def _config(url: str, delivery: str = "{backoff_seconds: 0.05, max_backoff_seconds: 0.2}") -> str:
    return f"""
events:
  destinations:
    hooks: {{type: webhook, url: "{url}", secret_env: HOOKS_SECRET}}
  models:
    Note: {{hooks: all}}
  delivery: {delivery}
"""


@pytest.fixture
def project(tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOOKS_SECRET", SECRET)
    return compile_project(tmp_path / "project", _config(receiver.url))


def test_webhooks_are_signed_and_each_row_s_events_arrive_in_order(
        project: Path, receiver: Receiver, database_url: str, start_app: StartApp) -> None:
    client = start_app(project, database_url)
    for slug in ("a", "b"):
        assert client.post("/notes", json={"slug": slug, "title": "0"}).status_code == 201
    for n in range(1, 6):
        for slug in ("a", "b"):
            assert client.patch(f"/notes/{slug}", json={"title": str(n)}).status_code == 200
    assert client.delete("/notes/a").status_code == 204
    wait_for(lambda: len(receiver.received) >= 13, what="13 webhooks")
    wait_for(lambda: all(r["status"] == "delivered" for r in outbox(database_url)),
             what="every outbox row delivered")
    verifier = Webhook(SECRET)
    for request in receiver.received:  # the reference implementation checks each signature
        assert verifier.verify(request.body, request.headers) == request.event
        assert request.headers["webhook-id"] == request.event["id"]
    for slug in ("a", "b"):
        titles = [(e["operation"], e.get("data", {}).get("title")) for e in receiver.events()
                  if e["key"] == [slug]]
        expected = [("create", "0"), *(("update", str(n)) for n in range(1, 6))]
        # a delete carries the row as it was (its before image)
        assert titles == expected + ([("delete", "5")] if slug == "a" else [])
    assert len(receiver.received) == 13  # each exactly once: nothing failed


def test_a_tampered_body_fails_the_reference_verification(
        project: Path, receiver: Receiver, database_url: str, start_app: StartApp) -> None:
    client = start_app(project, database_url)
    assert client.post("/notes", json={"slug": "a", "title": "A"}).status_code == 201
    request = wait_for(lambda: receiver.received and receiver.received[0], what="a webhook")
    with pytest.raises(Exception, match=r"(?i)signature"):
        Webhook(SECRET).verify(request.body.replace(b'"A"', b'"B"'), request.headers)


def test_failures_are_retried_then_delivered(project: Path, receiver: Receiver,
                                             database_url: str, start_app: StartApp) -> None:
    receiver.statuses = [500, 503]
    client = start_app(project, database_url)
    assert client.post("/notes", json={"slug": "a", "title": "A"}).status_code == 201
    assert client.patch("/notes/a", json={"title": "B"}).status_code == 200
    wait_for(lambda: len(receiver.received) == 2, what="two webhooks after two failures")
    assert [e["operation"] for e in receiver.events()] == ["create", "update"]  # order kept
    rows = wait_for(lambda: [r for r in outbox(database_url) if r["status"] == "delivered"]
                    if len([r for r in outbox(database_url) if r["status"] == "delivered"]) == 2
                    else None, what="both delivered")
    assert [r["attempts"] for r in rows] == [3, 1]
    assert rows[0]["last_error"] is None


def test_after_max_attempts_an_event_is_dead_and_its_row_moves_on(
        tmp_path: Path, receiver: Receiver, database_url: str, start_app: StartApp,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKS_SECRET", SECRET)
    ir = compile_project(tmp_path / "p", _config(
        receiver.url, "{max_attempts: 3, backoff_seconds: 0.02, max_backoff_seconds: 0.05}"))
    receiver.statuses = [500, 500, 500]
    client = start_app(ir, database_url)
    assert client.post("/notes", json={"slug": "a", "title": "A"}).status_code == 201
    assert client.patch("/notes/a", json={"title": "B"}).status_code == 200
    wait_for(lambda: len(receiver.received) == 1, what="the update after the dead create")
    assert receiver.events()[0]["operation"] == "update"
    rows = outbox(database_url)
    assert (rows[0]["status"], rows[0]["attempts"]) == ("dead", 3)
    assert "500" in rows[0]["last_error"]


def test_a_missing_secret_stops_startup(tmp_path: Path, receiver: Receiver,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOOKS_SECRET", raising=False)
    ir = compile_project(tmp_path / "p", _config(receiver.url))
    with pytest.raises(EventsConfigError, match=r"HOOKS_SECRET .*is not set"):
        create_app(ir, database_url=f"sqlite:///{tmp_path / 'app.db'}", custom_path=None)
    monkeypatch.setenv("HOOKS_SECRET", "not-a-whsec-secret")
    with pytest.raises(EventsConfigError, match="Standard Webhooks secret"):
        create_app(ir, database_url=f"sqlite:///{tmp_path / 'app.db'}", custom_path=None)
