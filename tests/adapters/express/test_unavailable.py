"""A database that does not answer: /healthz and every route give 503 problems, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.adapters.express.servers import Servers

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]


def test_an_unreachable_database_is_a_503_with_retry_after(express_servers: Servers) -> None:
    url = express_servers.unreachable_database("blog")
    with httpx.Client(base_url=url, timeout=30) as client:
        for path in ("/healthz", "/users", "/posts/1"):
            response = client.get(path)
            assert response.status_code == 503, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"] == "1"
            assert response.json()["type"].endswith("/database-unavailable")
