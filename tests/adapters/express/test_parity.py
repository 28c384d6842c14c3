"""Differential parity: the same requests to the FastAPI runtime and the emitted Express server.

Per IR (the blog and the kitchen): one server of each (the runtime under uvicorn, the Express
server of tests/adapters/express), each on its own PostgreSQL database with tables from the same
IR, the same seed rows created through the API on both, then every case of the IR's corpus
(parity_blog.py, parity_kitchen.py, from parity_corpus.py) sent to both in order: status, the
headers that matter and the body must be equal, except for the differences
parity_compare.ALLOWED lists with their reason (docs/express.md, "Differential parity"). The
cases run in batches (one test each, BATCH below); a batch fails listing every case whose
answers differ, with where they differ.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

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
# Both servers' settings beside the defaults.
ENVIRONMENT = {"FASTBACKEND_MAX_BULK_ROWS": str(MAX_BULK_ROWS)}
# The cases of an IR run in batches of BATCH, in the corpus's order, one test per batch: pytest's
# own work per test (~2 ms) had cost as much as the two requests. A batch sends every case and
# fails listing each case that differs, by name. FASTBACKEND_PARITY_CASE=text runs only the
# cases whose "ir: name" holds that text (and the earlier cases they take a cursor or an ETag
# from): docs/testing.md.
BATCH = 100
ONLY = os.environ.get("FASTBACKEND_PARITY_CASE")


def _chosen(cases: list[Case], ir: str) -> list[Case]:
    """``cases``, or with ONLY set those it names and those they need, in the corpus's order."""
    if ONLY is None:
        return cases
    by_name = {case.name: case for case in cases}
    wanted = {case.name for case in cases if ONLY in f"{ir}: {case.name}"}
    needed = list(wanted)
    while needed:
        case = by_name[needed.pop()]
        for earlier in (case.cursor_from, case.etag_from):
            if earlier is not None and earlier not in wanted:
                wanted.add(earlier)
                needed.append(earlier)
    return [case for case in cases if case.name in wanted]


def _batches() -> list[object]:
    """``ir:first-last`` (the cases' numbers in the corpus, from 1) for each batch."""
    found: list[object] = []
    for ir, cases in CASES.items():
        chosen = {case.name for case in _chosen(cases, ir)}
        numbered = [(number, case) for number, case in enumerate(cases, 1) if case.name in chosen]
        for start in range(0, len(numbered), BATCH):
            batch = numbered[start:start + BATCH]
            found.append(pytest.param(ir, [case for _, case in batch], marks=MARKS.get(ir, []),
                                      id=f"{ir}:{batch[0][0]}-{batch[-1][0]}"))
    return found


@dataclass
class Pair:
    fastapi: local_http.Connection
    express: local_http.Connection
    erasures: tuple[Erasure, Erasure] = (Erasure(), Erasure())
    answers: dict[str, tuple[Outcome, Outcome]] = field(default_factory=dict)

    def earlier(self, name: str | None, what: str) -> tuple[str | None, str | None]:
        """The ``next_cursor`` or ``ETag`` each server gave to the earlier case ``name``."""
        if name is None:
            return None, None
        if name not in self.answers:
            raise AssertionError(f"case {name!r} did not run before this one")
        found = tuple(getattr(outcome, what) for outcome in self.answers[name])
        assert None not in found, f"{name!r} gave no {what} on one server: {found}"
        return found[0], found[1]


def _seed(client: local_http.Connection, seed: list[Seed], absent: frozenset[str]) -> Erasure:
    """Creates the seed rows; what to erase from this server's answers (its generated keys,
    named by the seed's symbols; the fields the other server cannot expose)."""
    symbols: dict[str, str] = {}
    for row in seed:
        response = (client.request(row.method, row.path) if row.body is NO_BODY
                    else client.request(row.method, row.path, json_body=row.body))
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
    fastapi = stack.enter_context(local_http.Connection(runtime.url))
    node = stack.enter_context(local_http.Connection(express.url))
    absent = _absent(load(corpus.path))
    erasures = (_seed(fastapi, corpus.seed, absent), _seed(node, corpus.seed, absent))
    return Pair(fastapi, node, erasures)


def test_the_corpus_is_large_enough() -> None:
    assert all(len(cases) >= 300 for cases in CASES.values())


def test_case_names_are_unique() -> None:
    for name, cases in CASES.items():
        names = [case.name for case in cases]
        assert len(names) == len(set(names)), f"two cases of the {name} corpus share a name"


@pytest.mark.parametrize(("ir", "cases"), _batches())
def test_both_servers_answer_alike(pairs: Callable[[str], Pair], ir: str, cases: list[Case]) -> None:
    pair = pairs(ir)
    failed = [f"{ir}: {case.name}: {problem}" for case in cases
              if (problem := _difference(pair, ir, case)) is not None]
    assert not failed, f"{len(failed)} of {len(cases)} cases:\n" + "\n".join(failed)


def _difference(pair: Pair, ir: str, case: Case) -> str | None:
    """What is wrong with the case's two answers (sent in order, the answers kept for the
    cases after it), or None."""
    try:
        cursors = pair.earlier(case.cursor_from, "cursor")
        etags = pair.earlier(case.etag_from, "etag")
        fastapi = send(pair.fastapi, case, cursors[0], etags[0], pair.erasures[0])
        express = send(pair.express, case, cursors[1], etags[1], pair.erasures[1])
    except Exception as error:  # a failed request, or an earlier case's answer missing
        return f"{case.method} {case.target()}: {type(error).__name__}: {error}"
    pair.answers[case.name] = (fastapi, express)
    differences = compare(fastapi, express)
    if f"{ON_MYSQL.get(ir, ir)}: {case.name}" in DIFFERENT_CASES:
        return None if differences else "now agrees: remove it from DIFFERENT_CASES"
    return f"{case.method} {case.target()}:\n  " + "\n  ".join(differences) if differences else None


def test_every_allowed_difference_is_documented() -> None:
    """docs/express.md's "Differential parity" table names each entry of ALLOWED and
    DIFFERENT_CASES (in backticks in its first column)."""
    text = (ROOT / "docs" / "express.md").read_text("utf-8")
    section = text.split("## Differential parity", 1)[1].split("\n## ", 1)[0]
    for name in (*ALLOWED, *DIFFERENT_CASES):
        assert f"| `{name}` |" in section, f"docs/express.md does not list {name!r}"
