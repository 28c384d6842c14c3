"""Read replicas on a real streaming standby (docs/operations.md, "Read replicas").

A throwaway primary and a `pg_basebackup -R` standby (pgreplica.py). Which server answered is
told by data, not by trusting the router: the standby's replay is paused and a row is changed
on the primary behind the API's back, so the old value can only come from the standby and the
new one only from the primary. Clients are told apart by API key (`rate_limit.client:
api_key`, which read-your-writes uses whether rate limits are on or not).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Protocol

import pytest

from fastbackend_fastapi import create_app
from fastbackend_fastapi.database.replicas import Router
from tests.adapters.fastapi.conftest import BLOG
from tests.reliability.pgreplica import Pair, execute, one, streaming_pair, wait_for

with warnings.catch_warnings():
    # starlette asks for httpx2, which is not released for this stack yet; httpx works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # starts two clusters

WRITER = {"X-API-Key": "writer"}
READER = {"X-API-Key": "reader"}


class MakeApp(Protocol):
    def __call__(self, **replicas: Any) -> TestClient: ...


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with streaming_pair() as made:
        yield made


@pytest.fixture
def make_app(pair: Pair, tmp_path: Path) -> Iterator[MakeApp]:
    """An app of the blog on the pair's primary with the standby as its replica; the
    standby's replay is resumed and caught up again afterwards, whatever the test did."""
    started = ExitStack()

    def make(**replicas: Any) -> TestClient:
        project = tmp_path / f"project{len(list(tmp_path.iterdir()))}"
        project.mkdir()
        operations = {"replicas": {"urls": pair.standby.url, **replicas},
                      "rate_limit": {"client": "api_key"}}
        (project / "fastbackend.yaml").write_text(json.dumps({"operations": operations}))
        app = create_app(BLOG, database_url=pair.primary.url, custom_path=None,
                         project_path=project)
        return started.enter_context(TestClient(app))

    with started:
        yield make
    if not pair.standby.running():
        pair.standby.start()
        pair.wait_streaming()
    pair.resume_replay()
    wait_for(pair.caught_up, "the standby to catch up")


def router(client: TestClient) -> Router:
    found: Router = client.app.state.replicas  # type: ignore[attr-defined]
    return found


def wait_usable(client: TestClient, usable: bool = True) -> None:
    wait_for(lambda: router(client).status()[0]["usable"] is usable,
             f"the replica to be {'usable' if usable else 'skipped'}: {router(client).status()}")


def created_tag(client: TestClient, pair: Pair, name: str) -> int:
    """A tag made through the API, once the standby has it too."""
    response = client.post("/tags", json={"name": name}, headers=WRITER)
    assert response.status_code == 201, response.text
    key = int(response.json()["id"])
    wait_for(pair.caught_up, "the standby to replay the new tag")
    assert one(pair.standby, "SELECT name FROM tags WHERE id = %s", key) == name
    return key


def rename_behind_the_standby(pair: Pair, key: int, name: str) -> None:
    """Change a row on the primary only: the standby's replay is paused first."""
    pair.pause_replay()
    execute(pair.primary, "UPDATE tags SET name = %s WHERE id = %s", name, key)


def test_a_read_is_served_by_the_replica(make_app: MakeApp, pair: Pair) -> None:
    client = make_app(max_lag_seconds=60, read_your_writes_seconds=60)
    key = created_tag(client, pair, "before")
    wait_usable(client)
    rename_behind_the_standby(pair, key, "after")
    # the reader wrote nothing: its reads go to the standby, which has the old name
    assert client.get(f"/tags/{key}", headers=READER).json()["name"] == "before"
    listed = client.get("/tags", params={"id": key}, headers=READER).json()["data"]
    assert [tag["name"] for tag in listed] == ["before"]
    # the probes ask the primary, never the replica
    assert client.get("/readyz").status_code == 200


def test_a_client_reads_its_own_writes_from_the_primary(make_app: MakeApp, pair: Pair) -> None:
    client = make_app(max_lag_seconds=60, read_your_writes_seconds=60)
    key = created_tag(client, pair, "mine")
    wait_usable(client)
    pair.pause_replay()
    response = client.post("/tags", json={"name": "fresh"}, headers=WRITER)
    assert response.status_code == 201
    fresh = response.json()["id"]
    # the writer sees its write at once; another client reads the standby, which has not
    # replayed it yet
    assert client.get(f"/tags/{fresh}", headers=WRITER).json()["name"] == "fresh"
    assert client.get(f"/tags/{fresh}", headers=READER).status_code == 404
    # the writer's reads all go to the primary within the window, not only the new row's
    rename_behind_the_standby(pair, key, "renamed")
    assert client.get(f"/tags/{key}", headers=WRITER).json()["name"] == "renamed"
    assert client.get(f"/tags/{key}", headers=READER).json()["name"] == "mine"


def test_a_replica_past_the_lag_bound_is_skipped(make_app: MakeApp, pair: Pair) -> None:
    client = make_app(max_lag_seconds=0.5, read_your_writes_seconds=0.5,
                      check_interval_seconds=0.1)
    key = created_tag(client, pair, "old")
    wait_usable(client)
    rename_behind_the_standby(pair, key, "new")
    wait_usable(client, usable=False)  # the standby's replay stopped before the primary's write
    assert router(client).status()[0]["failed"] is None  # lagging, not failed
    assert client.get(f"/tags/{key}", headers=READER).json()["name"] == "new"
    pair.resume_replay()
    wait_usable(client)  # caught up: back in use
    assert client.get(f"/tags/{key}", headers=READER).json()["name"] == "new"


def test_a_stopped_replica_is_skipped_without_an_error(make_app: MakeApp, pair: Pair) -> None:
    client = make_app()
    key = created_tag(client, pair, "kept")
    wait_usable(client)
    assert client.get(f"/tags/{key}", headers=READER).status_code == 200  # pools a connection
    pair.standby.stop()
    # the pooled connection to the standby is dead: the read falls back to the primary
    for _ in range(3):
        response = client.get(f"/tags/{key}", headers=READER)
        assert response.status_code == 200 and response.json()["name"] == "kept"
    assert client.get("/tags", headers=READER).status_code == 200
    wait_for(lambda: router(client).status()[0]["failed"] is not None, "the replica to fail")
    pair.standby.start()
    pair.wait_streaming()
    wait_usable(client)  # back in use once a check reaches it again
