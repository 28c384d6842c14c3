"""/metrics, scraped and read with prometheus_client's own text parser: requests by route
template and status, latency histograms, the pool, database errors by kind. Off by default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from starlette.testclient import TestClient

from fastbackend_fastapi.database import direct
from fastbackend_fastapi.dispatch import RouteIndex
from fastbackend_fastapi.operations import routes
from fastbackend_ir import load
from tests.adapters.fastapi.conftest import BLOG, start_app
from tests.adapters.fastapi.operations.conftest import MakeOps
from tests.adapters.fastapi.test_direct_reads import terminate_backends


def scrape(client: TestClient) -> list[Sample]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return [sample for family in text_string_to_metric_families(response.text)
            for sample in family.samples]


def value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [s.value for s in samples
             if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, f"{name} {labels}: {found}"
    return found[0]


def test_off_by_default(make_ops: MakeOps) -> None:
    assert make_ops().get("/metrics").status_code == 404


def test_requests_latency_pool_and_errors(make_ops: MakeOps) -> None:
    client = make_ops({"metrics": {"enabled": True}})
    user = {"email": "m@x.io", "name": "M"}
    assert client.post("/users", json=user).status_code == 201
    assert client.post("/users", json=user).status_code == 409  # the database's unique error
    for key in ("1", "2", "999"):
        client.get(f"/users/{key}")
    client.get("/nowhere/at/all")
    samples = scrape(client)
    requests = "fastbackend_http_requests_total"
    assert value(samples, requests, method="GET", route="/users/{key}", status="200") == 1
    assert value(samples, requests, method="GET", route="/users/{key}", status="404") == 2
    assert value(samples, requests, method="POST", route="/users", status="409") == 1
    assert value(samples, requests, method="GET", route="unmatched", status="404") == 1
    histogram = "fastbackend_http_request_duration_seconds"
    assert value(samples, f"{histogram}_count", route="/users/{key}", status="404") == 2
    assert value(samples, f"{histogram}_bucket", route="/users/{key}", status="404",
                 le="+Inf") == 2
    assert value(samples, f"{histogram}_sum", route="/users/{key}", status="404") > 0
    assert value(samples, "fastbackend_db_errors_total", kind="integrity") == 1
    assert value(samples, "fastbackend_db_pool_connections", state="checked_out") == 0


def test_two_apps_count_apart(make_ops: MakeOps) -> None:
    first = make_ops({"metrics": {"enabled": True}}, folder="one")
    second = make_ops({"metrics": {"enabled": True}}, folder="two")
    first.get("/users")
    samples = scrape(second)
    assert not [s for s in samples if s.name == "fastbackend_http_requests_total"
                and s.labels["route"] == "/users"]


def test_the_route_index_names_every_request_as_the_route_list_does(make_ops: MakeOps) -> None:
    """Requests are named (route template, entity, operation) through the route index when
    one route matches fully (dispatch.py), else by trying every route: both ways agree on
    every route's path, on a method a path does not serve (405) and on no route at all."""
    client = make_ops({"metrics": {"enabled": True}})
    client.get("/users")  # the app has started: its router carries the index
    router = client.app.router  # type: ignore[attr-defined]
    index = router.middleware_stack
    assert isinstance(index, RouteIndex)
    known = routes.operations(load(BLOG))
    requests = [("TRACE", "/nowhere"), ("PATCH", "/users")]
    for route in router.routes:
        path = re.sub(r"\{[^}]+\}", "1", getattr(route, "path", "/"))
        requests += [(method, path) for method in sorted(getattr(route, "methods", None) or ())]
    assert len(requests) > 50
    for method, path in requests:
        scope = {"type": "http", "method": method, "path": path, "root_path": "",
                 "headers": [], "query_string": b""}
        assert (routes.match(router.routes, scope, known, index)
                == routes.match(router.routes, scope, known)), (method, path)


@pytest.mark.postgres
def test_with_metrics_reads_by_id_stay_on_the_loop_and_their_errors_count(
        postgres_url: str, tmp_path: Path) -> None:
    """The error counter is an observer (database/direct.py): a read by id still runs on
    psycopg's asyncio connection with metrics on, and a connection lost there (the server
    restarted) is counted as a disconnect, as the thread path counts it, and answered."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "fastbackend.yaml").write_text('{"operations": {"metrics": {"enabled": true}}}')
    with TestClient(start_app(BLOG, postgres_url, custom_path=None,
                              project_path=project)) as client:
        database = client.app.state.runtime.database  # type: ignore[attr-defined]
        user = client.post("/users", json={"email": "loop@x.io"}).json()
        assert client.get(f"/users/{user['id']}").json() == user
        assert direct.engine_eligible(database.read_engine, safe=False)
        assert len(database.async_reads._idle) == 1  # the read's connection, back idle
        terminate_backends(postgres_url)
        assert client.get(f"/users/{user['id']}").json() == user
        samples = scrape(client)
    assert value(samples, "fastbackend_db_errors_total", kind="disconnect") == 1
