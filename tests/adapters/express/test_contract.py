"""The FastAPI runtime's contract tests, run against the emitted Express server on PostgreSQL.

Every HTTP-only test of tests/adapters/fastapi (those that take the ``blog`` or ``kitchen``
client, plus ``database_url`` to look at stored values) is collected here unchanged; the
fixtures below give them an httpx client of the Express server instead of a TestClient. The
cases that cannot match are marked xfail (strict) with the reason, so they are listed in the
report and a fix shows up as an unexpected pass.
"""

from __future__ import annotations

import inspect
import types
import warnings
from collections.abc import Callable
from typing import Any

import pytest

with warnings.catch_warnings():
    # The FastAPI suite imports starlette's TestClient, which warns about httpx (its conftest
    # silences that the same way); the Express tests use plain httpx clients.
    warnings.simplefilter("ignore")
    from tests.adapters.fastapi import (
        test_app,
        test_crud,
        test_errors,
        test_etags,
        test_no_500,
        test_relations,
        test_types,
    )

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

CONTRACT_MODULES = (test_app, test_crud, test_errors, test_etags, test_no_500, test_relations, test_types)
CLIENTS = {"blog", "kitchen", "make_client"}
HTTP_FIXTURES = CLIENTS | {"database_url"}
# Tests that reach into the FastAPI app object rather than talking HTTP (see test_unavailable.py).
RUNTIME_INTERNALS = {"test_healthz_is_503_when_the_database_does_not_answer"}

# Cases that cannot match, and why (docs/express.md lists them too).
INTERVAL = ("the kitchen's FULL sample sets an interval column; Prisma has no interval type and "
            "its pg driver adapter refuses interval columns in results (UnsupportedNativeDataType, "
            "even when declared String), so the Express server does not expose them")
CANNOT_MATCH: dict[str, str] = {
    "test_every_scalar_type_round_trips": INTERVAL + "; and JavaScript dates hold milliseconds, "
                                          "not the microseconds PostgreSQL stores",
    "test_filters_parse_values_by_type": INTERVAL,
    "test_nullable_everything_can_be_cleared": INTERVAL,
    "test_openapi_documents_bodies_and_responses": (
        "the Express server does not serve /openapi.json: the OpenAPI document is the openapi "
        "target's output, and an adapter may not import another"),
}


def _arguments(function: Callable[..., Any]) -> set[str]:
    parametrized = {name.strip() for mark in getattr(function, "pytestmark", [])
                    if mark.name == "parametrize" for name in str(mark.args[0]).split(",")}
    return set(inspect.signature(function).parameters) - parametrized


def _copy(function: types.FunctionType) -> types.FunctionType:
    """A copy to mark, so the FastAPI suite's own test keeps its marks."""
    copy = types.FunctionType(function.__code__, function.__globals__, function.__name__,
                              function.__defaults__, function.__closure__)
    copy.__dict__.update(function.__dict__)
    copy.pytestmark = list(getattr(function, "pytestmark", []))  # type: ignore[attr-defined]
    return copy


def _contract_tests() -> dict[str, types.FunctionType]:
    found = {}
    for module in CONTRACT_MODULES:
        for name, function in vars(module).items():
            if (name.startswith("test_") and isinstance(function, types.FunctionType)
                    and function.__module__ == module.__name__
                    and CLIENTS & _arguments(function) and _arguments(function) <= HTTP_FIXTURES
                    and name not in RUNTIME_INTERNALS):
                copy = _copy(function)
                if name in CANNOT_MATCH:
                    copy = pytest.mark.xfail(reason=CANNOT_MATCH[name], strict=True)(copy)
                found[name] = copy
    return found


globals().update(_contract_tests())
