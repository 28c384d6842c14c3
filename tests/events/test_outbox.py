"""Every committed write records exactly its events in the outbox, in the write's transaction;
a write that rolls back records none. The in-server worker is off here (nothing is delivered),
so the outbox shows what each write recorded."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.fastapi.conftest import TestClient
from tests.events.conftest import compile_project, outbox

CONFIG = """
events:
  destinations:
    hooks: {type: webhook, url: "http://127.0.0.1:9/h", secret_env: UNUSED_SECRET}
    audit: {type: redis, url: "redis://127.0.0.1:6379/0", stream: unused}
  models:
    Note: {hooks: all, audit: [delete]}
    Label: {hooks: [create]}
"""


@pytest.fixture
def client(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch,
           start_app: Callable[[Path, str], TestClient]) -> TestClient:
    monkeypatch.setenv("FASTBACKEND_EVENTS_WORKER", "0")
    return start_app(compile_project(tmp_path / "project", CONFIG), database_url)


def _recorded(url: str, after: int = 0) -> list[tuple[Any, ...]]:
    return [(row["destination"], row["entity"], row["operation"], row["event"]["key"],
             row["event"].get("changed")) for row in outbox(url) if row["id"] > after]


def _last_id(url: str) -> int:
    rows = outbox(url)
    return rows[-1]["id"] if rows else 0


def test_every_committed_write_records_exactly_its_events(client: TestClient,
                                                          database_url: str) -> None:
    assert client.post("/notes", json={"slug": "a", "title": "A"}).status_code == 201
    assert client.post("/notes/bulk", json=[{"slug": "b", "title": "B"},
                                            {"slug": "c", "title": "C"}]).status_code == 201
    assert client.post("/labels", json={"name": "red"}).status_code == 201
    assert _recorded(database_url) == [
        ("hooks", "Note", "create", ["a"], None), ("hooks", "Note", "create", ["b"], None),
        ("hooks", "Note", "create", ["c"], None), ("hooks", "Label", "create", [1], None)]
    created = outbox(database_url)[0]["event"]
    assert created["type"] == "Note.create" and created["data"] == {
        "slug": "a", "title": "A", "body": None}
    mark = _last_id(database_url)
    assert client.patch("/notes/a", json={"title": "A2"}).status_code == 200
    assert client.patch("/notes/a", json={}).status_code == 200  # writes nothing: no event
    assert client.put("/notes/b", json={"slug": "b", "title": "B2"}).status_code == 200  # replace
    assert client.put("/notes/d", json={"slug": "d", "title": "D"}).status_code == 201  # upsert: a create
    assert client.put("/notes/a/labels/1").status_code == 204
    assert client.put("/notes/a/labels/1").status_code == 204  # already linked: no event
    assert client.delete("/notes/a/labels/1").status_code == 204
    assert client.delete("/notes/c").status_code == 204
    assert _recorded(database_url, mark) == [
        ("hooks", "Note", "update", ["a"], ["title"]),
        ("hooks", "Note", "update", ["b"], ["body", "slug", "title"]),  # PUT resets body
        ("hooks", "Note", "create", ["d"], None),
        ("hooks", "Note", "link", ["a"], None),
        ("hooks", "Note", "unlink", ["a"], None),
        ("hooks", "Note", "delete", ["c"], None), ("audit", "Note", "delete", ["c"], None)]
    link = next(r["event"] for r in outbox(database_url) if r["operation"] == "link")
    assert (link["relation"], link["target"], link["target_key"]) == ("labels", "Label", [1])
    mark = _last_id(database_url)
    assert client.patch("/notes", params={"slug__in": "a,b"},
                        json={"body": "x"}).status_code == 200
    assert client.patch("/notes", params={"slug__in": "a,b"},
                        json={}).status_code == 200  # writes nothing: no event
    assert client.delete("/notes", params={"slug__in": "a,d"}).status_code == 200
    assert sorted(_recorded(database_url, mark)) == sorted([
        ("hooks", "Note", "update", ["a"], ["body"]), ("hooks", "Note", "update", ["b"], ["body"]),
        ("hooks", "Note", "delete", ["a"], None), ("audit", "Note", "delete", ["a"], None),
        ("hooks", "Note", "delete", ["d"], None), ("audit", "Note", "delete", ["d"], None)])
    # one event id per event, shared by its destinations' rows
    deletes = [r for r in outbox(database_url) if r["operation"] == "delete"]
    assert len({r["event_id"] for r in deletes}) == len(deletes) // 2
    # each carries the row as it was (its before image), by DELETE /notes/c and by a bulk DELETE
    assert {r["event"]["data"]["slug"] for r in deletes} == {"a", "c", "d"}


def test_a_write_that_rolls_back_records_nothing(client: TestClient, database_url: str) -> None:
    assert client.post("/notes", json={"slug": "a", "title": "A"}).status_code == 201
    mark = _last_id(database_url)
    # the second row's key exists: the whole bulk create rolls back (409)
    assert client.post("/notes/bulk", json=[{"slug": "n", "title": "N"},
                                            {"slug": "a", "title": "dup"}]).status_code == 409
    assert client.delete("/notes/zzz").status_code == 404
    assert client.put("/notes/a/labels/99").status_code == 404
    assert client.post("/labels", json={"name": "x"}).status_code == 201
    assert client.post("/labels", json={"name": "x"}).status_code == 409  # unique: rolled back
    assert _recorded(database_url, mark) == [("hooks", "Label", "create", [1], None)]
    assert client.get("/notes/n").status_code == 404  # the rolled-back row is not there either


def test_an_event_is_due_at_the_moment_of_its_write(client: TestClient,
                                                    database_url: str) -> None:
    """The times are kept to the millisecond on every database (a single-precision column
    rounds today's epoch to 128 s, and MariaDB's events waited up to a minute to be due)."""
    before = time.time()
    assert client.post("/notes", json={"slug": "a", "title": "A"}).status_code == 201
    after = time.time()
    [row] = outbox(database_url)  # reflected: MySQL's DOUBLE reads as a Decimal
    created, due = float(row["created_at"]), float(row["next_attempt_at"])
    assert before - 0.001 <= created <= after + 0.001
    assert abs(due - created) <= 0.001


def test_an_entity_without_subscriptions_records_nothing(client: TestClient,
                                                         database_url: str) -> None:
    assert client.post("/labels", json={"name": "red"}).status_code == 201
    assert client.patch("/labels/1", json={"name": "blue"}).status_code == 200
    assert client.delete("/labels/1").status_code == 204
    assert [row["operation"] for row in outbox(database_url)] == ["create"]  # Label: create only


def test_the_outbox_is_part_of_the_migrations_target(tmp_path: Path) -> None:
    from fastbackend_fastapi.database.migrations import target_metadata

    with_events = compile_project(tmp_path / "with", CONFIG)
    without = compile_project(tmp_path / "without", "")
    assert "fastbackend_events" in target_metadata(with_events).tables
    assert "fastbackend_events" not in target_metadata(without).tables


def test_a_nested_write_records_every_row_and_link_in_its_transaction(
        client: TestClient, database_url: str) -> None:
    """Every row a nested create writes and every link it makes records its events; a nested
    create that fails records none."""
    assert client.post("/labels", json={"name": "red"}).status_code == 201
    mark = _last_id(database_url)
    created = client.post("/notes", json={"slug": "n", "title": "N", "labels": {
        "connect": {"name": "red"}, "create": {"name": "blue"}}})
    assert created.status_code == 201, created.text
    recorded = _recorded(database_url, mark)
    assert ("hooks", "Note", "create", ["n"], None) in recorded
    assert ("hooks", "Label", "create", [2], None) in recorded
    links = [row["event"] for row in outbox(database_url)
             if row["id"] > mark and row["operation"] == "link"]
    assert sorted(event["target_key"][0] for event in links) == [1, 2]
    mark = _last_id(database_url)
    refused = client.post("/notes", json={"slug": "m", "title": "M", "labels": {
        "create": [{"name": "green"}, {"name": "red"}]}})
    assert refused.status_code == 409
    assert _recorded(database_url, mark) == []
    # a bulk create's nesting rows record as nested creates do, in its one transaction
    bulk = client.post("/notes/bulk", json=[
        {"slug": "b1", "title": "B", "labels": {"connect": {"name": "blue"}}},
        {"slug": "b2", "title": "B", "labels": {"create": {"name": "teal"}}}])
    assert bulk.status_code == 201, bulk.text
    recorded = _recorded(database_url, mark)
    assert {row[3][0] for row in recorded if row[1:3] == ("Note", "create")} == {"b1", "b2"}
    assert len([row for row in recorded if row[1:3] == ("Label", "create")]) == 1
    assert len([row for row in outbox(database_url)
                if row["id"] > mark and row["operation"] == "link"]) == 2
    mark = _last_id(database_url)
    refused = client.post("/notes/bulk", json=[
        {"slug": "b3", "title": "B", "labels": {"create": {"name": "fine"}}},
        {"slug": "b4", "title": "B", "labels": {"create": {"name": "red"}}}])
    assert refused.status_code == 409 and refused.json()["errors"][0]["pointer"] == (
        "/1/labels/create/name")
    assert _recorded(database_url, mark) == []


def test_an_upsert_records_what_it_did(client: TestClient, database_url: str) -> None:
    """`Prefer: resolution=...` on POST (docs/rest-api.md, "Upsert"): an inserted row is a
    create, a merged one an update of the fields sent, an ignored one nothing."""
    merge = {"Prefer": "resolution=merge-duplicates"}
    assert client.post("/notes", json={"slug": "u", "title": "U"}, headers=merge).status_code == 201
    assert client.post("/notes", json={"slug": "u", "title": "U2"}, headers=merge).status_code == 200
    assert client.post("/notes/bulk", json=[{"slug": "u", "title": "U3"}],
                       headers={"Prefer": "resolution=ignore-duplicates"}).status_code == 200
    assert _recorded(database_url) == [("hooks", "Note", "create", ["u"], None),
                                       ("hooks", "Note", "update", ["u"], ["title"])]


def test_a_nested_update_records_every_link_and_unlink(client: TestClient,
                                                       database_url: str) -> None:
    """A PATCH's `set` records an unlink for each row taken out and a link for each put in;
    a refused one records none."""
    created = client.post("/notes", json={"slug": "n", "title": "N", "labels": {
        "create": [{"name": "red"}, {"name": "blue"}]}})
    assert created.status_code == 201, created.text
    assert client.post("/labels", json={"name": "green"}).status_code == 201
    mark = _last_id(database_url)
    updated = client.patch("/notes/n", json={"title": "N2", "labels": {
        "set": [{"name": "blue"}, {"name": "green"}]}})
    assert updated.status_code == 200, updated.text
    changed = [(row["operation"], row["event"].get("target_key"))
               for row in outbox(database_url) if row["id"] > mark and row["entity"] == "Note"]
    assert sorted(changed, key=str) == [("link", [3]), ("unlink", [1]), ("update", None)]
    mark = _last_id(database_url)
    refused = client.patch("/notes/n", json={"labels": {"set": [{"name": "nope"}]}})
    assert refused.status_code == 422
    assert _recorded(database_url, mark) == []


def test_a_batch_records_every_operations_events_or_none(client: TestClient,
                                                         database_url: str) -> None:
    """POST /_batch (docs/rest-api.md "Atomic batch"): each operation records its route's
    events in the batch's one transaction; a batch that fails records none, not even those
    of the operations before the failing one."""
    done = client.post("/_batch", json={"operations": [
        {"op": "create", "path": "/labels", "ref": "l", "body": {"name": "red"}},
        {"op": "create", "path": "/notes", "body": {"slug": "b", "title": "B",
                                                    "labels": {"connect": {"id": {
                                                        "$ref": "l.id"}}}}},
        {"op": "update", "path": "/notes", "key": {"slug": "b"}, "body": {"title": "B2"}}]})
    assert done.status_code == 200, done.text
    recorded = _recorded(database_url)
    assert ("hooks", "Label", "create", [1], None) in recorded
    assert ("hooks", "Note", "create", ["b"], None) in recorded
    assert ("hooks", "Note", "update", ["b"], ["title"]) in recorded
    assert any(row["operation"] == "link" for row in outbox(database_url))
    mark = _last_id(database_url)
    failed = client.post("/_batch", json={"operations": [
        {"op": "create", "path": "/notes", "body": {"slug": "c", "title": "C"}},
        {"op": "delete", "path": "/notes", "key": {"slug": "b"}},
        {"op": "create", "path": "/labels", "body": {"name": "red"}}]})  # a unique violation
    assert failed.status_code == 409
    assert _recorded(database_url, mark) == []
    assert client.get("/notes/b").json()["title"] == "B2"
    assert client.get("/notes/c").status_code == 404
