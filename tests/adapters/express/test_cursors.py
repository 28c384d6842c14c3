"""List cursors are the FastAPI runtime's on both servers: a cursor minted by the runtime pages
on for the Express server, and the other way round, on the same PostgreSQL database, for the
same IR with the key derived from it and with FASTBACKEND_CURSOR_SECRET; an altered one is the
same 400 on both, and one signed with another secret is refused."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Iterator
from typing import Any, Protocol

import httpx
import pytest

from fastbackend_fastapi import create_app
from fastbackend_fastapi.settings import from_environment
from tests.adapters.express.servers import Server, Servers
from tests.conftest import GOLDEN

with warnings.catch_warnings():
    # starlette asks for httpx2, which is not released for this stack yet; httpx works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

SECRET = "a shared secret, longer than BLAKE2b's 64-byte key limit: only its first 64 bytes count"
SORTS = ("author.name,-title", "-author.email,id", "-created_at", "title", "")


class Client(Protocol):
    def get(self, url: str, *, params: dict[str, Any]) -> httpx.Response: ...


@pytest.fixture
def server(express_servers: Servers) -> Server:
    found = express_servers.get("blog")
    found.reset()
    return found


def runtime(server: Server, secret: str | None = None) -> Iterator[TestClient]:
    settings = from_environment({"FASTBACKEND_CURSOR_SECRET": secret} if secret else {})
    app = create_app(GOLDEN / "blog.ir.json", database_url=server.database_url, custom_path=None,
                     settings=settings)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def fastapi(server: Server) -> Iterator[TestClient]:
    yield from runtime(server)


def seed(client: httpx.Client) -> None:
    users = [client.post("/users", json={"email": f"u{i}@x.io", "name": None if i == 1 else f"nœ{i % 2}"})
             .json()["id"] for i in range(4)]
    for number in range(11):
        response = client.post("/posts", json={"title": f"t{number % 3}", "body": "b",
                                               "author_id": users[number % 4]})
        assert response.status_code == 201, response.text


def page(client: Client, sort: str, cursor: str | None = None) -> tuple[list[int], str | None]:
    params = {"limit": 3, **({"sort": sort} if sort else {}), **({"cursor": cursor} if cursor else {})}
    response = client.get("/posts", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return [row["id"] for row in body["data"]], body["meta"]["next_cursor"]


def walk(first: Client, second: Client, sort: str) -> list[int]:
    """Every page, the servers taking turns: each one continues from the other's cursor."""
    seen, cursor = page(first, sort)
    for turn in range(20):  # bounded: a cursor that does not advance fails
        if cursor is None:
            return seen
        ids, cursor = page(second if turn % 2 == 0 else first, sort, cursor)
        seen += ids
    raise AssertionError("the cursors did not reach the last page")


@pytest.mark.parametrize("sort", SORTS)
def test_a_cursor_of_one_server_pages_on_for_the_other(blog: httpx.Client, fastapi: TestClient,
                                                        sort: str) -> None:
    seed(blog)
    expected = [row["id"] for row in blog.get("/posts", params={"limit": 200, "sort": sort}).json()["data"]]
    assert [row["id"] for row in fastapi.get(
        "/posts", params={"limit": 200, "sort": sort}).json()["data"]] == expected
    assert walk(blog, fastapi, sort) == expected
    assert walk(fastapi, blog, sort) == expected


def test_the_same_cursor_from_both_servers(blog: httpx.Client, fastapi: TestClient) -> None:
    seed(blog)
    for sort in SORTS:
        assert page(blog, sort)[1] is not None
        assert page(blog, sort)[1] == page(fastapi, sort)[1], sort
    token = page(blog, "author.name")[1]
    assert token is not None
    payload = token.split(".")[0]
    assert b"\\u0153" in base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))  # œ, as ASCII


def test_an_altered_cursor_is_the_same_400_on_both(blog: httpx.Client, fastapi: TestClient) -> None:
    seed(blog)
    _, cursor = page(blog, "title")
    assert cursor is not None
    payload, mac = cursor.split(".")
    for bad in (payload + "." + mac[::-1], payload[:-2] + "." + mac, "x", ""):
        answers = [client.get("/posts", params={"sort": "title", "cursor": bad})
                   for client in (blog, fastapi)]
        assert [a.status_code for a in answers] == [400, 400], bad
        assert answers[0].json()["detail"] == answers[1].json()["detail"], bad
    other_sort = [client.get("/posts", params={"sort": "-title", "cursor": cursor})
                  for client in (blog, fastapi)]
    assert [a.json()["detail"] for a in other_sort] == [other_sort[1].json()["detail"]] * 2
    assert "another sort order" in other_sort[0].json()["detail"]
    # bound to the collection: the MAC covers the entity's name
    assert blog.get("/users", params={"sort": "title", "cursor": cursor}).status_code == 400


def test_a_shared_secret_keys_both_and_another_key_is_refused(
        blog: httpx.Client, express_servers: Servers, server: Server) -> None:
    seed(blog)
    with_secret = express_servers.another_instance("blog", {"FASTBACKEND_CURSOR_SECRET": SECRET})
    expected = [row["id"] for row in blog.get("/posts", params={
        "limit": 200, "sort": "author.name,-title"}).json()["data"]]
    with with_secret.client() as express:
        for fastapi in runtime(server, SECRET):
            assert walk(express, fastapi, "author.name,-title") == expected
            _, signed = page(express, "title")
            assert page(fastapi, "title")[1] == signed
            # the server keyed from the IR refuses it
            response = blog.get("/posts", params={"sort": "title", "cursor": signed})
            assert response.status_code == 400 and "altered" in response.json()["detail"]
