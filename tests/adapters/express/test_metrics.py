"""Prometheus metrics on both servers (FASTBACKEND_METRICS=1): the same exchange of requests
gives the same request counts by method, route template and status, and a latency histogram
with the same buckets, read with prometheus-client's own parser (docs/operations.md,
"Metrics"); and both report their database pool under the same names (database-error metrics
are the runtime's only)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.adapters.express.operations import express_blog, fastapi_blog
from tests.adapters.express.servers import Servers

with warnings.catch_warnings():
    # starlette asks for httpx2, which is not released for this stack yet; httpx works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

METRICS = {"FASTBACKEND_METRICS": "1"}
Counts = dict[tuple[str, str, str], float]


@pytest.fixture
def express(express_servers: Servers) -> Iterator[httpx.Client]:
    with express_blog(express_servers, METRICS) as client:
        yield client


@pytest.fixture
def fastapi(express_servers: Servers, monkeypatch: pytest.MonkeyPatch,
            tmp_path: Path) -> Iterator[TestClient]:
    with fastapi_blog(express_servers, METRICS, monkeypatch, tmp_path) as client:
        yield client


def scrape(client: httpx.Client | TestClient) -> tuple[Counts, set[float]]:
    """Requests by (method, route, status) so far, and the histogram's bucket bounds."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    counts: Counts = {}
    bounds: set[float] = set()  # `10` and `10.0` are one bound
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == "fastbackend_http_requests_total":
                labels = sample.labels
                counts[(labels["method"], labels["route"], labels["status"])] = sample.value
            elif sample.name == "fastbackend_http_request_duration_seconds_bucket":
                bounds.add(float(sample.labels["le"]))
    return counts, bounds


def exchange(client: httpx.Client | TestClient) -> tuple[Counts, set[float]]:
    """What one exchange of requests adds to the counts (a server's start-up probes and the
    first scrape are before it), and the bucket bounds."""
    before, _ = scrape(client)
    for _ in range(2):
        client.get("/posts/999999")  # a 404 of a generated route, named by its template
    client.get("/posts", params={"limit": 1})
    client.put("/posts")  # a 405: the route's template too
    client.get("/no/such/path")  # unmatched: one series for every unknown path
    client.get("/livez")
    after, bounds = scrape(client)
    added = {labels: count - before.get(labels, 0) for labels, count in after.items()
             if count != before.get(labels, 0)}
    return added, bounds


def test_both_servers_count_alike(express: httpx.Client, fastapi: TestClient) -> None:
    expected, bounds = exchange(fastapi)
    assert expected == {("GET", "/posts/{key}", "404"): 2, ("GET", "/posts", "200"): 1,
                        ("PUT", "/posts", "405"): 1, ("GET", "unmatched", "404"): 1,
                        ("GET", "/livez", "200"): 1, ("GET", "/metrics", "200"): 1}
    assert {0.001, 10.0, math.inf} <= bounds
    assert exchange(express) == (expected, bounds)


def pool(client: httpx.Client | TestClient) -> dict[str, float]:
    """The pool's gauges: `size` and each state's connections."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == "fastbackend_db_pool_connections":
                found[sample.labels["state"]] = sample.value
            elif sample.name == "fastbackend_db_pool_size":
                found["size"] = sample.value
    return found


def test_both_servers_report_their_pool(express: httpx.Client, fastapi: TestClient) -> None:
    """Read from each server's own pool when scraped (SQLAlchemy's; node-postgres's under
    @prisma/adapter-pg): after a read, its connection is back in the pool, idle."""
    for client in (fastapi, express):
        assert client.get("/posts", params={"limit": 1}).status_code == 200
        found = pool(client)
        assert set(found) == {"size", "checked_out", "idle", "overflow"}, found
        assert found["checked_out"] == 0  # the scrape holds no connection
        assert 1 <= found["idle"] <= found["size"] + found["overflow"]
    assert pool(express)["size"] == 10  # node-postgres's default `max`
