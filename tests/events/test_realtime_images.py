"""The realtime feed judges each event by the row image it carries (events/images.py), not by
the row as the database holds it when the event is sent (docs/events.md "Realtime"): over
real HTTP on SQLite and PostgreSQL, with test_realtime.py's server and clients."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from fastbackend_ir import load
from tests import local_http
from tests.adapters.fastapi.tenancy import CONFIG, write_project
from tests.conftest import compile_models
from tests.events import test_realtime as realtime
from tests.events.test_realtime import ALICE, BOB, DEADLINE, Server, Stream, _post

url, served, subscribe = realtime.url, realtime.served, realtime.subscribe  # its fixtures

KEEP = "/projects/changes?name__startswith=keep"


def _patch(server: Server, path: str, body: dict[str, object],
           headers: dict[str, str]) -> None:
    response = local_http.patch(server.base + path, json=body, headers=headers, timeout=DEADLINE)
    assert response.status_code == 200, response.text


def test_the_image_tables_are_the_compilers(tmp_path: Path) -> None:
    events = load(write_project(tmp_path, CONFIG + realtime.REALTIME)).events
    assert events is not None
    assert events.image_tables == {"Project": "fastbackend_image_projects",
                                   "Task": "fastbackend_image_tasks"}


LONG = ("a_table_name_long_enough_to_need_shortening_" * 2)[:60]
COLLIDING = f"""
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)


class Taken(Base):
    __tablename__ = "fastbackend_image_notes"
    id: Mapped[int] = mapped_column(primary_key=True)


class Long(Base):
    __tablename__ = "{LONG}"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(10))
"""


def test_an_image_table_never_takes_a_schemas_name_and_fits_63_characters(
        tmp_path: Path) -> None:
    config = "events:\n  realtime: {models: [Note, Long]}\n"
    events = load(compile_models(tmp_path, COLLIDING, config)).events
    assert events is not None
    assert events.image_tables["Note"] == "fastbackend_image_notes_1"
    long = events.image_tables["Long"]
    assert len(long) == 63 and long.startswith("fastbackend_image_a_table_name")


def test_a_replayed_create_is_judged_by_its_image(served: Server,
                                                  subscribe: Callable[..., Stream]) -> None:
    """The create of a row renamed out of the filter since is still sent on a resume (its
    image matched), and the rename comes as a `leave`: the client ends up without the row."""
    first = subscribe(served.base + KEEP, ALICE)
    seen = _post(served, "/projects", {"name": "keep seen"}, ALICE)
    position = first.next()["id"]
    first.closing = True
    created = _post(served, "/projects", {"name": "keep me"}, ALICE)
    _patch(served, f"/projects/{created['id']}", {"name": "drop me"}, ALICE)
    _patch(served, f"/projects/{seen['id']}", {"name": "keep still"}, ALICE)
    again = subscribe(served.base + KEEP, {**ALICE, "Last-Event-ID": position})
    create, leave, update = again.next(), again.next(), again.next()
    assert (create["event"], create["data"]["data"]) == ("create", created)
    assert leave["event"] == "leave" and int(leave["id"]) > int(create["id"])
    assert leave["data"]["key"] == [created["id"]] and "data" not in leave["data"]
    assert set(leave["data"]) == {"id", "type", "timestamp", "entity", "operation", "key"}
    assert (update["event"], update["data"]["data"]["name"]) == ("update", "keep still")


def test_a_leave_goes_only_to_the_subscribers_whose_scope_holds_the_row(
        served: Server, subscribe: Callable[..., Stream]) -> None:
    alice, bob = subscribe(served.base + KEEP, ALICE), subscribe(served.base + KEEP, BOB)
    project = _post(served, "/projects", {"name": "keep a"}, ALICE)
    assert alice.next()["data"]["data"] == project
    _patch(served, f"/projects/{project['id']}", {"name": "drop a"}, ALICE)
    leave = alice.next()
    assert (leave["event"], leave["data"]["key"]) == ("leave", [project["id"]])
    of_bob = _post(served, "/projects", {"name": "keep bob's"}, BOB)
    assert bob.next()["data"]["data"] == of_bob  # nothing of alice's before it


def test_a_row_scope_on_a_hidden_column_is_judged_by_the_image(
        served: Server, url: str, subscribe: Callable[..., Stream]) -> None:
    """The scope column (tenant_id, hidden) is read from the image: a row moved to another
    tenant after its create still sends the create to its tenant on a resume, never to the
    other, and no event shows the column."""
    first = subscribe(served.base + "/projects/changes", ALICE)
    _post(served, "/projects", {"name": "marker"}, ALICE)
    position = first.next()["id"]
    first.closing = True
    project = _post(served, "/projects", {"name": "moved"}, ALICE)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE projects SET tenant_id = 2 WHERE id = :id"),
                               {"id": project["id"]})
    finally:
        engine.dispose()
    of_bob = _post(served, "/projects", {"name": "bob's"}, BOB)
    alice = subscribe(served.base + "/projects/changes", {**ALICE, "Last-Event-ID": position})
    bob = subscribe(served.base + "/projects/changes", {**BOB, "Last-Event-ID": position})
    create = alice.next()
    assert create["data"]["data"] == project and "tenant_id" not in create["data"]["data"]
    assert bob.next()["data"]["data"] == of_bob  # not alice's create, though the row is his now


def test_a_relation_filter_reads_the_related_row_as_it_is(
        served: Server, subscribe: Callable[..., Stream]) -> None:
    """`project.name__startswith=keep` on the tasks' feed: the task's own values come from its
    image, the project's from the project's row now."""
    project = _post(served, "/projects", {"name": "keep p"}, ALICE)
    stream = subscribe(served.base + "/tasks/changes?project.name__startswith=keep", ALICE)
    task = _post(served, "/tasks", {"title": "t", "project_id": project["id"]}, ALICE)
    assert stream.next()["data"]["data"] == task
    _patch(served, f"/projects/{project['id']}", {"name": "drop p"}, ALICE)
    _patch(served, f"/tasks/{task['id']}", {"title": "u"}, ALICE)
    leave = stream.next()  # the project left the filter: so did the task
    assert (leave["event"], leave["data"]["key"]) == ("leave", [task["id"]])
