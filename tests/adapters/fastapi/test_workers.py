"""Stateless: `uvicorn --workers 2` behaves as one process (ETags, conditional writes)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests import local_http
from tests.adapters.fastapi.conftest import BLOG
from tests.adapters.fastapi.test_dev import _free_port
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def two_workers(database_url: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "FASTBACKEND_IR": str(BLOG),
           "FASTBACKEND_CUSTOM_PATH": str(ROOT / "no-custom-routes")}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory",
         "fastbackend_fastapi.asgi:create_app_from_env", "--workers", "2", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if local_http.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_workers_agree_and_only_one_conditional_write_wins(two_workers: str) -> None:
    with local_http.client(base_url=two_workers, timeout=10) as client:
        user = client.post("/users", json={"email": "w@x.io"}).json()
        path = f"/users/{user['id']}"
        etags = {client.get(path, headers={"Connection": "close"}).headers["etag"]
                 for _ in range(10)}  # new connections, so both workers answer
        assert len(etags) == 1
        etag = etags.pop()

    def patch(number: int) -> int:
        with local_http.client(base_url=two_workers, timeout=10) as own:
            response = own.patch(path, json={"name": f"writer {number}"},
                                 headers={"If-Match": etag})
            return response.status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(patch, range(8)))
    assert statuses == [200] + [412] * 7
