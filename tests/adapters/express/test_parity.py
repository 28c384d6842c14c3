"""Differential parity: the same requests to the FastAPI runtime and the emitted Express server.

One server of each (the runtime under uvicorn, the Express server of tests/adapters/express),
each on its own PostgreSQL database with tables from the same IR (the blog), the same seed rows
created through the API on both, then every case of the corpus (parity_corpus.py) sent to
both in order: status, the headers that matter and the body must be equal, except for the
differences parity_compare.ALLOWED lists with their reason (docs/express.md, "Differential
parity"). A case whose answers differ fails with both answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from fastbackend_ir import load
from tests.adapters.express.parity_compare import ALLOWED, DIFFERENT_CASES, Outcome, compare, send
from tests.adapters.express.parity_corpus import NO_BODY, SEED, Case, corpus
from tests.adapters.express.servers import Servers
from tests.conftest import GOLDEN, ROOT
from tests.reliability.servers import uvicorn_server
from tests.services import temporary_postgres_database

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

BLOG = GOLDEN / "blog.ir.json"
CORPUS = corpus(load(BLOG))


@dataclass
class Pair:
    fastapi: httpx.Client
    express: httpx.Client
    answers: dict[str, tuple[Outcome, Outcome]] = field(default_factory=dict)

    def earlier(self, name: str | None, what: str) -> tuple[str | None, str | None]:
        """The ``next_cursor`` or ``ETag`` each server gave to the earlier case ``name``."""
        if name is None:
            return None, None
        if name not in self.answers:
            pytest.fail(f"case {name!r} did not run before this one")
        found = tuple(getattr(outcome, what) for outcome in self.answers[name])
        assert None not in found, f"{name!r} gave no {what} on one server: {found}"
        return found[0], found[1]


def _seed(client: httpx.Client) -> None:
    for method, path, body in SEED:
        response = (client.request(method, path) if body is NO_BODY
                    else client.request(method, path, json=body))
        assert response.status_code in (201, 204), (path, body, response.text)


@pytest.fixture(scope="module")
def pair(express_servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    express = express_servers.get("blog")
    express.reset()
    workdir = tmp_path_factory.mktemp("parity-fastapi")
    with temporary_postgres_database() as url, uvicorn_server(BLOG, url, workdir=workdir) as runtime, \
            httpx.Client(base_url=runtime.url, timeout=30) as fastapi, express.client() as node:
        _seed(fastapi)
        _seed(node)
        yield Pair(fastapi, node)
    express.reset()


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 300


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_both_servers_answer_alike(pair: Pair, case: Case) -> None:
    cursors = pair.earlier(case.cursor_from, "cursor")
    etags = pair.earlier(case.etag_from, "etag")
    fastapi = send(pair.fastapi, case, cursors[0], etags[0])
    express = send(pair.express, case, cursors[1], etags[1])
    pair.answers[case.name] = (fastapi, express)
    differences = compare(fastapi, express)
    if case.name in DIFFERENT_CASES:
        assert differences, f"{case.name!r} now agrees: remove it from DIFFERENT_CASES"
        return
    assert not differences, f"{case.method} {case.target()}:\n" + "\n".join(differences)


def test_every_allowed_difference_is_documented() -> None:
    """docs/express.md's "Differential parity" table names each entry of ALLOWED and
    DIFFERENT_CASES (in backticks in its first column)."""
    text = (ROOT / "docs" / "express.md").read_text("utf-8")
    section = text.split("## Differential parity", 1)[1].split("\n## ", 1)[0]
    for name in (*ALLOWED, *DIFFERENT_CASES):
        assert f"| `{name}` |" in section, f"docs/express.md does not list {name!r}"
