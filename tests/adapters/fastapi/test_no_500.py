"""Arbitrary input never yields a 500: bodies, query parameters and keys, on both databases.

The test client re-raises any exception the app did not turn into a problem, so a crash fails
the test even before the status code is checked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.adapters.fastapi.test_types import FULL

FIELDS = [*FULL, "id", "count", "active", "slug", "ref", "short", "c2", "created_at",
          "updated_at"]
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=60))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
BODIES = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), JSON, max_size=8)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
ACCEPTABLE = {200, 201, 400, 404, 409, 412, 415, 422}


@FUZZ
@given(body=BODIES | st.lists(BODIES, max_size=3))
def test_any_json_body_on_create(kitchen: TestClient, body: Any) -> None:
    assert kitchen.post("/samples", json=body).status_code in ACCEPTABLE


@FUZZ
@given(body=BODIES)
def test_any_json_body_on_update(kitchen: TestClient, body: Any) -> None:
    sample = kitchen.post("/samples", json={"label": "fuzz"})
    key = sample.json()["id"] if sample.status_code == 201 else (
        kitchen.get("/samples", params={"label": "fuzz"}).json()["data"][0]["id"])
    assert kitchen.patch(f"/samples/{key}", json=body).status_code in ACCEPTABLE
    assert kitchen.put(f"/samples/{key}", json=body).status_code in ACCEPTABLE


@FUZZ
@given(raw=st.binary(max_size=80))
def test_any_bytes_as_a_body(kitchen: TestClient, raw: bytes) -> None:
    response = kitchen.post("/badges", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code in ACCEPTABLE


@FUZZ
@given(params=st.dictionaries(st.sampled_from([*FIELDS, "limit", "offset", "sort", "count"])
                              | st.text(max_size=6), st.text(max_size=30), max_size=4))
def test_any_query_parameters(kitchen: TestClient, params: dict[str, str]) -> None:
    assert kitchen.get("/samples", params=params).status_code in ACCEPTABLE
    assert kitchen.get("/employees/1/reports", params=params).status_code in ACCEPTABLE


@FUZZ
@given(text=st.text(min_size=1, max_size=40))
def test_any_key_in_the_url(kitchen: TestClient, text: str) -> None:
    key = quote(text, safe=",")
    for path in (f"/samples/{key}", f"/regions/{key}", f"/employees/{key}/skills"):
        assert kitchen.get(path).status_code in ACCEPTABLE
    assert kitchen.put(f"/employees/{key}/skills/{key}").status_code in ACCEPTABLE
