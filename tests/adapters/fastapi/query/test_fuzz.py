"""Random query strings at the list endpoints: only 200 or 400 ever comes back (both databases),
or 414 for a URL past the 8 KiB limit (security.py: `"[" * 3000` is 9 KB percent-encoded).

The test client re-raises any exception the app did not turn into a problem, so a crash fails
the test before the status is even looked at.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

FIELDS = ["id", "label", "count", "big", "ratio", "price", "active", "happened_at", "day",
          "at_time", "duration", "token", "color", "slug", "secret", "payload", "blob"]
OPERATORS = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "contains", "icontains",
             "startswith", "endswith", "isnull", "zz", ""]
RESERVED = ["limit", "offset", "sort", "count", "cursor", "where", "fields", "include"]
NAMES = (st.builds(lambda f, o: f"{f}__{o}" if o else f, st.sampled_from(FIELDS),
                   st.sampled_from(OPERATORS))
         | st.sampled_from(RESERVED) | st.sampled_from(["manager.name", "reports.name__in",
                                                       "skills.name", "store.region.name"])
         | st.text(max_size=8))
VALUES = (st.sampled_from(["", "0", "-1", "1,2", "true", "null", "2024-02-29", "P1D", "red",
                           "12:00", "1e309", "NaN", "%", "*", "\x00", "9" * 40, "-id,label",
                           "manager.name", "author", "reports,skills", "{\"count\": Infinity}",
                           "[" * 3000, "{\"OR\": [{\"label\": NaN}]}"])
          | st.text(max_size=20))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8)
                    | st.floats(allow_nan=False, allow_infinity=False),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["AND", "OR", "NOT", "name", "manager",
                                                       "reports", "some", "every", "none",
                                                       "is", "isNot", "eq", "in", "contains",
                                                       "isnull", "id", "label"]) | st.text(max_size=4),
                                      inner, max_size=3), max_leaves=10)
FUZZ = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def seeded(kitchen: TestClient) -> TestClient:
    """Rows in every list the fuzz reads, so statements run against data (employee 1 too)."""
    boss = kitchen.post("/employees", json={"name": "boss"}).json()
    assert kitchen.post("/employees", json={"name": "r", "manager_id": boss["id"]}).status_code == 201
    assert kitchen.post("/samples", json={"label": "s", "price": "1.50"}).status_code == 201
    return kitchen


@FUZZ
@given(params=st.lists(st.tuples(NAMES, VALUES), max_size=5))
def test_random_query_strings(seeded: TestClient, params: list[tuple[str, str]]) -> None:
    kitchen = seeded
    for path in ("/samples", "/employees", "/employees/1/reports", "/stores"):
        assert kitchen.get(path, params=params).status_code in (200, 400, 414), (path, params)


@FUZZ
@given(where=JSON)
def test_random_where_documents(seeded: TestClient, where: Any) -> None:
    kitchen = seeded
    for path in ("/samples", "/employees"):
        response = kitchen.get(path, params={"where": json.dumps(where)})
        assert response.status_code in (200, 400), (path, where)
    body = kitchen.post("/employees/query", json={"where": where, "include": "manager"})
    assert body.status_code in (200, 400), where


@pytest.mark.parametrize("where", ['{"NOT":' * 5000 + "{}" + "}" * 5000,
                                   '{"NOT":' * 40 + "{}" + "}" * 40,
                                   json.dumps({"OR": [{"label": "x"}] * 300}),
                                   '{"count": Infinity}', "[]", "null", '"x"'])
def test_deep_wide_or_odd_where_is_a_400(kitchen: TestClient, where: str) -> None:
    if len(where) < 4000:  # a URL has a length limit; the POST body has not
        response = kitchen.get("/samples", params={"where": where})
        assert response.status_code == 400
        assert "'where" in response.json()["detail"]
    posted = kitchen.post("/samples/query", content='{"where": ' + where + "}",
                          headers={"Content-Type": "application/json"})
    assert posted.status_code == 400
