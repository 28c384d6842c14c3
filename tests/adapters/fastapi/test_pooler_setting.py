"""FASTBACKEND_POOLER: `transaction` leaves nothing in a session (no server-side prepared
statements, no startup options). The runtime behind a real PgBouncer:
tests/reliability/test_pgbouncer.py."""

from __future__ import annotations

import pytest

from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.settings import Settings, from_environment

URL = "postgresql+psycopg://app@db/blog"


def test_the_default_is_no_pooler() -> None:
    assert from_environment({}).pooler == "none"
    arguments = dialects.for_url(URL).connect_args(URL, Settings())
    assert "prepare_threshold" not in arguments
    assert "statement_timeout=15000" in arguments["options"]


def test_transaction_mode_turns_session_state_off() -> None:
    settings = from_environment({"FASTBACKEND_POOLER": "transaction"})
    arguments = dialects.for_url(URL).connect_args(URL, settings)
    assert arguments == {"connect_timeout": settings.connect_timeout, "prepare_threshold": None}


def test_a_wrong_value_is_refused() -> None:
    with pytest.raises(ValueError, match="FASTBACKEND_POOLER must be none or transaction"):
        from_environment({"FASTBACKEND_POOLER": "statement"})
