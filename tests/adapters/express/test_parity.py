"""Differential parity: the same requests to the FastAPI runtime and the emitted Express server.

Per IR (the blog and the kitchen): one server of each (the runtime under uvicorn, the Express
server of tests/adapters/express), each on its own PostgreSQL database with tables from the same
IR, the same seed rows created through the API on both, then every case of the IR's corpus
(parity_blog.py, parity_kitchen.py, from parity_corpus.py) sent to both in order: status, the
headers that matter and the body must be equal, except for the differences
parity_compare.ALLOWED lists with their reason (docs/express.md, "Differential parity"). A case
whose answers differ fails with both answers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from fastbackend_ir import IR, load
from tests import local_http
from tests.adapters.express import parity_blog, parity_kitchen
from tests.adapters.express.harness import ON_MYSQL
from tests.adapters.express.parity_compare import (
    ALLOWED,
    DIFFERENT_CASES,
    Erasure,
    Outcome,
    compare,
    send,
)
from tests.adapters.express.parity_corpus import MAX_BULK_ROWS, NO_BODY, Case, Seed
from tests.adapters.express.servers import Servers
from tests.conftest import GOLDEN, ROOT
from tests.reliability.servers import uvicorn_server
from tests.services import temporary_mariadb_database, temporary_postgres_database

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]


@dataclass(frozen=True)
class Corpus:
    path: Path
    seed: list[Seed]
    cases: Callable[[IR], list[Case]]


CORPORA = {"blog": Corpus(GOLDEN / "blog.ir.json", parity_blog.SEED, parity_blog.corpus),
           "kitchen": Corpus(GOLDEN / "kitchen.ir.json", parity_kitchen.SEED, parity_kitchen.corpus)}
CASES = {name: corpus.cases(load(corpus.path)) for name, corpus in CORPORA.items()}
# The blog's corpus again, both servers on MariaDB (each its own database): the Express server
# emitted for MySQL (harness.ON_MYSQL), the runtime on its MySQL dialect.
CORPORA.update({name: CORPORA[base] for name, base in ON_MYSQL.items() if base in CORPORA})
CASES.update({name: CASES[base] for name, base in ON_MYSQL.items() if base in CASES})
MARKS = {name: [pytest.mark.mariadb] for name in ON_MYSQL if name in CORPORA}
# The kitchen's corpus on MariaDB: in `make test` the cases whose answers depend on the
# database (parity_kitchen.database_corpus, 770 of 1,924), the whole corpus in `make soak`
# (FASTBACKEND_SOAK=1), where it is a soak test (docs/express.md, "MySQL and MariaDB").
if os.environ.get("FASTBACKEND_SOAK") == "1":
    MARKS["kitchen_mysql"].append(pytest.mark.soak)
else:
    CASES["kitchen_mysql"] = parity_kitchen.database_corpus(load(CORPORA["kitchen_mysql"].path))
ALL_CASES = [(name, case) for name, cases in CASES.items() for case in cases]
# Both servers' settings beside the defaults.
ENVIRONMENT = {"FASTBACKEND_MAX_BULK_ROWS": str(MAX_BULK_ROWS)}


def _marks(ir: str, case: Case) -> list[pytest.MarkDecorator]:
    return MARKS.get(ir, [])


@dataclass
class Pair:
    fastapi: httpx.Client
    express: httpx.Client
    erasures: tuple[Erasure, Erasure] = (Erasure(), Erasure())
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


def _seed(client: httpx.Client, seed: list[Seed], absent: frozenset[str]) -> Erasure:
    """Creates the seed rows; what to erase from this server's answers (its generated keys,
    named by the seed's symbols; the fields the other server cannot expose)."""
    symbols: dict[str, str] = {}
    for row in seed:
        response = (client.request(row.method, row.path) if row.body is NO_BODY
                    else client.request(row.method, row.path, json=row.body))
        assert response.status_code in (201, 204), (row.path, row.body, response.text)
        if row.symbol is not None:
            symbols[str(response.json()["id"])] = row.symbol
    return Erasure(symbols, absent)


def _absent(ir: IR) -> frozenset[str]:
    """Fields Prisma Client cannot expose (ALLOWED["interval"])."""
    return frozenset(item.name for entity in ir.entities.values() for item in entity.fields
                     if item.type == "interval")


@pytest.fixture(scope="module")
def pairs(express_servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        Callable[[str], Pair]]:
    """The server pair of an IR, started (and seeded) on first use."""
    started: dict[str, Pair] = {}
    with ExitStack() as stack:
        def pair(name: str) -> Pair:
            if name not in started:
                started[name] = _start(name, express_servers, tmp_path_factory, stack)
            return started[name]

        yield pair
    for name in started:
        express_servers.get(name).reset()


def _start(name: str, express_servers: Servers, tmp_path_factory: pytest.TempPathFactory,
           stack: ExitStack) -> Pair:
    corpus = CORPORA[name]
    express_servers.get(name).reset()
    express = express_servers.another_instance(name, ENVIRONMENT)
    workdir = tmp_path_factory.mktemp(f"parity-fastapi-{name}")
    url = stack.enter_context(temporary_mariadb_database() if name in ON_MYSQL
                              else temporary_postgres_database())
    runtime = stack.enter_context(uvicorn_server(corpus.path, url, env=ENVIRONMENT, workdir=workdir))
    fastapi = stack.enter_context(local_http.client(base_url=runtime.url, timeout=30))
    node = stack.enter_context(express.client())
    absent = _absent(load(corpus.path))
    erasures = (_seed(fastapi, corpus.seed, absent), _seed(node, corpus.seed, absent))
    return Pair(fastapi, node, erasures)


def test_the_corpus_is_large_enough() -> None:
    assert all(len(cases) >= 300 for cases in CASES.values())


def test_case_names_are_unique() -> None:
    for name, cases in CASES.items():
        names = [case.name for case in cases]
        assert len(names) == len(set(names)), f"two cases of the {name} corpus share a name"


@pytest.mark.parametrize(("ir", "case"), [
    pytest.param(ir, case, id=f"{ir}: {case.name}", marks=_marks(ir, case)) for ir, case in ALL_CASES])
def test_both_servers_answer_alike(pairs: Callable[[str], Pair], ir: str, case: Case) -> None:
    pair = pairs(ir)
    cursors = pair.earlier(case.cursor_from, "cursor")
    etags = pair.earlier(case.etag_from, "etag")
    fastapi = send(pair.fastapi, case, cursors[0], etags[0], pair.erasures[0])
    express = send(pair.express, case, cursors[1], etags[1], pair.erasures[1])
    pair.answers[case.name] = (fastapi, express)
    differences = compare(fastapi, express)
    if f"{ON_MYSQL.get(ir, ir)}: {case.name}" in DIFFERENT_CASES:
        assert differences, f"{ir}: {case.name!r} now agrees: remove it from DIFFERENT_CASES"
        return
    assert not differences, f"{case.method} {case.target()}:\n" + "\n".join(differences)


def test_every_allowed_difference_is_documented() -> None:
    """docs/express.md's "Differential parity" table names each entry of ALLOWED and
    DIFFERENT_CASES (in backticks in its first column)."""
    text = (ROOT / "docs" / "express.md").read_text("utf-8")
    section = text.split("## Differential parity", 1)[1].split("\n## ", 1)[0]
    for name in (*ALLOWED, *DIFFERENT_CASES):
        assert f"| `{name}` |" in section, f"docs/express.md does not list {name!r}"
