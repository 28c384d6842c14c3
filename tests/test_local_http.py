"""The tests reach the servers they start through tests/local_http.py, whose clients share one SSL
context: httpx's own build a verifying one each (about 30 ms of CPU), and the suite makes
thousands of clients."""

from __future__ import annotations

import re
from pathlib import Path

from tests import local_http

TESTS = Path(__file__).resolve().parent
OWN_CLIENT = re.compile(r"\bhttpx\.(get|post|put|patch|delete|head|options|request|stream|"
                        r"Client|AsyncClient)\(")


def test_no_test_builds_its_own_httpx_client() -> None:
    offenders = [f"{path.relative_to(TESTS)}:{number}"
                 for path in sorted(TESTS.rglob("*.py")) if path.name != "local_http.py"
                 for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                 if OWN_CLIENT.search(line)]
    assert offenders == [], "use tests/local_http.py: " + ", ".join(offenders)


def test_the_shared_context_verifies_and_trusts_no_one() -> None:
    """Plain HTTP needs no context; should a test reach a TLS server, the handshake fails
    rather than trusting it."""
    assert local_http.NO_TLS.verify_mode.name == "CERT_REQUIRED"
    assert local_http.NO_TLS.check_hostname
    assert local_http.NO_TLS.cert_store_stats()["x509_ca"] == 0
