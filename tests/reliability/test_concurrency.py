"""Racing clients against a real uvicorn server, on SQLite, PostgreSQL and MariaDB: PROFILE.racers
clients PATCH one row with the same If-Match at once (exactly one wins per version, no lost
update), and create the same unique value at once (exactly one 201, the rest 409).

The clients open their connections first, then wait at one asyncio.Event: when it is set, every
request goes out before any answer comes back, so the server holds them all at the same time
(checked with httpcore's trace hook: the 50 requests were written within about 2 ms, and the
first answer came 2-80 ms after the first request).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
import sqlalchemy as sa

from tests.reliability import loadgen
from tests.reliability.profile import PROFILE
from tests.reliability.results import publish
from tests.reliability.servers import BLOG_IR, DATABASES, Server, database_url, uvicorn_server

# Servers in subprocesses: the `make test` lane, not the inner loop (docs/testing.md).
pytestmark = pytest.mark.slow

ROUNDS = 3  # versions raced in a row: each round starts from the previous winner's ETag
RACE_TIMEOUT = 30.0  # per request: 50 writes queue behind one row lock
Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


@pytest.fixture(scope="module", params=DATABASES)
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per database for the module: each race uses its own rows."""
    workdir = tmp_path_factory.mktemp(f"race-{request.param}")
    with database_url(request.param) as url, uvicorn_server(BLOG_IR, url,
                                                              workdir=workdir) as running:
        yield running


class Racers:
    """PROFILE.racers clients, connected before the first race (a race to connect is not the
    race under test)."""

    def __init__(self, base_url: str) -> None:
        self.clients = [loadgen.client(base_url, RACE_TIMEOUT) for _ in range(PROFILE.racers)]

    async def __aenter__(self) -> Racers:
        for answer in await asyncio.gather(*(c.get("/healthz") for c in self.clients)):
            assert answer.status_code == 200, answer.text
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.gather(*(client.aclose() for client in self.clients))

    async def race(self, send: Request) -> list[httpx.Response]:
        """``send(client, n)`` from every client at once."""
        gate, everyone_waits = asyncio.Event(), asyncio.Event()
        waiting = 0

        async def racer(number: int, client: httpx.AsyncClient) -> httpx.Response:
            nonlocal waiting
            waiting += 1
            if waiting == len(self.clients):
                everyone_waits.set()
            await gate.wait()
            return await send(client, number)

        tasks = [asyncio.create_task(racer(n, c)) for n, c in enumerate(self.clients)]
        await everyone_waits.wait()
        gate.set()
        return await asyncio.gather(*tasks)


def test_one_patch_wins_per_version(server: Server,
                                    record_property: Callable[[str, object], None]) -> None:
    rounds = asyncio.run(_patch_races(server))
    publish(f"race-patch-{_kind(server)}-{PROFILE.name}", {"rounds": rounds}, record_property)


async def _patch_races(server: Server) -> list[dict[str, int]]:
    rounds = []
    async with Racers(server.url) as racers:
        setup = racers.clients[0]
        author = (await setup.post("/users", json={"email": "racer@race.test"})).json()["id"]
        created = await setup.post("/posts", json={"title": "contended", "body": "start",
                                                   "author_id": author})
        assert created.status_code == 201, created.text
        location, etag = created.headers["location"], created.headers["etag"]
        for round_ in range(ROUNDS):
            def patch(client: httpx.AsyncClient, n: int, etag: str = etag,
                      round_: int = round_) -> Awaitable[httpx.Response]:
                return client.patch(location, json={"body": f"round {round_} racer {n}"},
                                    headers={"If-Match": etag})

            responses = await racers.race(patch)
            statuses = Counter(r.status_code for r in responses)
            rounds.append({str(k): v for k, v in sorted(statuses.items())})
            assert statuses == {200: 1, 412: PROFILE.racers - 1}, statuses
            assert all(r.headers["content-type"] == "application/problem+json"
                       for r in responses if r.status_code == 412)
            winner = next(r for r in responses if r.status_code == 200)
            now = await setup.get(location)
            assert now.json()["body"] == winner.json()["body"]  # the winner's, not a loser's
            assert now.headers["etag"] == winner.headers["etag"] != etag
            assert _column(server, "SELECT body FROM posts WHERE title = 'contended'") == [
                winner.json()["body"]]
            etag = winner.headers["etag"]
    return rounds


def test_one_create_wins_per_unique_value(server: Server,
                                          record_property: Callable[[str, object], None]) -> None:
    rounds = asyncio.run(_create_races(server))
    publish(f"race-create-{_kind(server)}-{PROFILE.name}", {"rounds": rounds}, record_property)


async def _create_races(server: Server) -> list[dict[str, int]]:
    rounds = []
    async with Racers(server.url) as racers:
        for _ in range(ROUNDS):
            name = f"tag-{uuid.uuid4().hex[:8]}"

            def create(client: httpx.AsyncClient, n: int, name: str = name
                       ) -> Awaitable[httpx.Response]:
                return client.post("/tags", json={"name": name})

            responses = await racers.race(create)
            statuses = Counter(r.status_code for r in responses)
            rounds.append({str(k): v for k, v in sorted(statuses.items())})
            assert statuses == {201: 1, 409: PROFILE.racers - 1}, statuses
            for refused in (r for r in responses if r.status_code == 409):
                assert refused.headers["content-type"] == "application/problem+json"
                problem = refused.json()
                assert problem["status"] == 409
                assert [e["pointer"] for e in problem["errors"]] == ["/name"], problem
            winner = next(r for r in responses if r.status_code == 201)
            assert _column(server, f"SELECT id FROM tags WHERE name = '{name}'") == [
                winner.json()["id"]]
    return rounds


def _kind(server: Server) -> str:
    return sa.make_url(server.database_url).get_backend_name().replace("postgresql", "postgres")


def _column(server: Server, query: str) -> list[object]:
    """The first column of ``query``, read from the database, not through the API."""
    engine = sa.create_engine(server.database_url)
    try:
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(sa.text(query))]
    finally:
        engine.dispose()
