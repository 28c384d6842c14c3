"""Rate limits: a token bucket per client and route; 429 problem+json with Retry-After and the
IETF draft's RateLimit-Policy / RateLimit fields; in memory, or in Redis for several instances
(the real Redis: skipped without one, unless FASTBACKEND_REQUIRE_SERVICES=1)."""

from __future__ import annotations

import base64
import json
import math
import re
import time
import uuid
from typing import Any

import pytest
import redis
from starlette.testclient import TestClient

from tests.adapters.fastapi.conftest import problem
from tests.adapters.fastapi.operations.conftest import MakeOps
from tests.services import require_redis

POLICY = re.compile(r'"(?P<name>[^"]+)";q=(?P<q>\d+);w=(?P<w>\d+)')
STATE = re.compile(r'"(?P<name>[^"]+)";r=(?P<r>\d+);t=(?P<t>\d+)')
HOUR = 3600  # a window long enough that no token comes back during a test


def limits(requests: int = 3, **more: Any) -> dict[str, Any]:
    return {"rate_limit": {"enabled": True, "requests": requests, "window_seconds": HOUR,
                           **more}}


def remaining(response: Any) -> int:
    found = STATE.fullmatch(response.headers["ratelimit"])
    assert found is not None, response.headers["ratelimit"]
    return int(found["r"])


def drain(client: TestClient, path: str, count: int, **kwargs: Any) -> list[int]:
    return [client.get(path, **kwargs).status_code for _ in range(count)]


def test_off_by_default(make_ops: MakeOps) -> None:
    client = make_ops()
    assert set(drain(client, "/tags", 150)) == {200}
    assert "ratelimit" not in client.get("/tags").headers


def test_the_bucket_empties_then_429(make_ops: MakeOps) -> None:
    client = make_ops(limits(3))
    started = time.monotonic()
    answers = [client.get("/tags") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [remaining(a) for a in answers] == [2, 1, 0]
    policy = POLICY.fullmatch(answers[0].headers["ratelimit-policy"])
    assert policy is not None and (policy["name"], policy["q"], policy["w"]) == (
        "default", "3", str(HOUR))
    refused = client.get("/tags", headers={"X-Request-ID": "too-many"})
    elapsed = time.monotonic() - started
    assert refused.status_code == 429
    body = problem(refused)
    assert str(body["type"]).endswith("/too-many-requests")
    assert body["title"] == "Too Many Requests"
    assert body["request_id"] == "too-many"
    # one token comes back every HOUR / 3 seconds, counted from the first request: on a busy
    # machine the bucket has refilled for the seconds the four requests took
    retry_after = int(refused.headers["retry-after"])
    assert HOUR // 3 - math.ceil(elapsed) <= retry_after <= HOUR // 3
    assert remaining(refused) == 0


def test_each_route_and_client_has_its_own_bucket(make_ops: MakeOps) -> None:
    client = make_ops(limits(2, client="api_key"))
    assert drain(client, "/tags", 3, headers={"X-API-Key": "a"}) == [200, 200, 429]
    assert drain(client, "/tags", 2, headers={"X-API-Key": "b"}) == [200, 200]
    assert drain(client, "/tags/1", 1, headers={"X-API-Key": "a"}) == [404]  # another route
    assert drain(client, "/tags/2", 1, headers={"X-API-Key": "a"}) == [404]  # the same route


def test_a_route_policy_and_the_probes(make_ops: MakeOps) -> None:
    client = make_ops(limits(100, routes={"POST /tags": {"requests": 1, "window_seconds": 60}}))
    first = client.post("/tags", json={"name": "a"})
    assert first.status_code == 201
    assert first.headers["ratelimit-policy"] == '"POST /tags";q=1;w=60'
    assert client.post("/tags", json={"name": "b"}).status_code == 429
    assert client.get("/tags").status_code == 200  # the default policy
    assert set(drain(client, "/livez", 5) + drain(client, "/readyz", 5)) == {200}


def _token(subject: str) -> str:
    def part(value: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part({'sub': subject})}.sig"


def test_jwt_subjects(make_ops: MakeOps) -> None:
    client = make_ops(limits(1, client="jwt_subject"))
    ann = {"Authorization": f"Bearer {_token('ann')}"}
    assert drain(client, "/tags", 2, headers=ann) == [200, 429]
    assert drain(client, "/tags", 1, headers={"Authorization": f"Bearer {_token('bob')}"}) == [200]
    assert drain(client, "/tags", 2) == [200, 429]  # no token: the client's address


def test_two_instances_share_one_redis_bucket(make_ops: MakeOps) -> None:
    url = require_redis()
    prefix = f"fbtest:{uuid.uuid4().hex}"
    shared = limits(4, storage="redis", redis_url=url, key_prefix=prefix)
    one = make_ops(shared, folder="one")
    two = make_ops(shared, folder="two")
    try:
        assert drain(one, "/tags", 2) == [200, 200]
        assert remaining(two.get("/tags")) == 1
        assert drain(one, "/tags", 2) == [200, 429]
        assert two.get("/tags").status_code == 429
        assert len(_keys(url, prefix)) == 1  # one bucket: the client's, for GET /tags
    finally:
        for key in _keys(url, prefix):
            redis.Redis.from_url(url).delete(key)


def _keys(url: str, prefix: str) -> list[bytes]:
    return list(redis.Redis.from_url(url).scan_iter(match=f"{prefix}:*"))


def test_memory_buckets_are_each_instances_own(make_ops: MakeOps) -> None:
    """The control of the test above: without Redis, the second instance has a full bucket."""
    one = make_ops(limits(2), folder="one")
    two = make_ops(limits(2), folder="two")
    assert drain(one, "/tags", 3) == [200, 200, 429]
    assert drain(two, "/tags", 2) == [200, 200]


def test_redis_down_lets_requests_through(make_ops: MakeOps, caplog: pytest.LogCaptureFixture) -> None:
    client = make_ops(limits(1, storage="redis", redis_url="redis://127.0.0.1:1/0"))
    assert drain(client, "/tags", 3) == [200, 200, 200]
    assert "Redis did not answer" in caplog.text
