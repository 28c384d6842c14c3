"""Two runtime processes (uvicorn, no shared memory) on one PostgreSQL database and one Redis:
the rate limits' buckets are shared; the request ids and probes are each instance's own."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
import redis

from tests import local_http
from tests.adapters.fastapi.conftest import BLOG
from tests.reliability.servers import uvicorn_server
from tests.services import require_redis

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # two servers in subprocesses


def test_two_processes_share_one_bucket(postgres_url: str, tmp_path: Path) -> None:
    url = require_redis()
    prefix = f"fbtest:{uuid.uuid4().hex}"
    env = {"FASTBACKEND_RATE_LIMIT": "1", "FASTBACKEND_RATE_LIMIT_REQUESTS": "5",
           "FASTBACKEND_RATE_LIMIT_WINDOW_SECONDS": "3600",
           "FASTBACKEND_RATE_LIMIT_STORAGE": "redis", "REDIS_URL": url,
           "FASTBACKEND_RATE_LIMIT_PREFIX": prefix}
    try:
        with (uvicorn_server(BLOG, postgres_url, env=env, workdir=tmp_path / "a") as one,
              uvicorn_server(BLOG, postgres_url, env=env, workdir=tmp_path / "b") as two):
            started = time.monotonic()
            statuses = [local_http.get(f"{server.url}/tags", timeout=30).status_code
                        for server in (one, two, one, two, one, two)]
            assert statuses == [200, 200, 200, 200, 200, 429]
            refused = local_http.get(f"{one.url}/tags", timeout=30)
            assert refused.status_code == 429
            assert refused.json()["request_id"] == refused.headers["x-request-id"]
            # The bucket refills while the requests are made: one token per 720 s, so the wait
            # is 720 s less what has refilled since the first request (seconds on a loaded machine).
            refilled = time.monotonic() - started
            assert 3600 // 5 - refilled - 1 <= int(refused.headers["retry-after"]) <= 3600 // 5
            assert local_http.get(f"{two.url}/readyz", timeout=30).status_code == 200  # not limited
    finally:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
