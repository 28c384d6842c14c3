"""The FastAPI runtime's contract tests, run against the emitted Express server on PostgreSQL.

Every HTTP-only test of tests/adapters/fastapi (those that take the ``blog`` or ``kitchen``
client, plus ``database_url`` to look at stored values) is collected here unchanged; the
fixtures below give them an httpx client of the Express server instead of a TestClient. The
cases that cannot match are marked xfail (strict) with the reason, so they are listed in the
report and a fix shows up as an unexpected pass.
"""

from __future__ import annotations

import importlib
import inspect
import types
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from tests.adapters.express.contract import RUN_AGAINST_EXPRESS, RUNTIME_TESTS

with warnings.catch_warnings():
    # The FastAPI suite imports starlette's TestClient, which warns about httpx (its conftest
    # silences that the same way); the Express tests use plain httpx clients.
    warnings.simplefilter("ignore")
    CONTRACT_MODULES = tuple(importlib.import_module(f"{RUNTIME_TESTS}.{name}")
                             for name in RUN_AGAINST_EXPRESS)

pytestmark = [pytest.mark.node, pytest.mark.postgres, pytest.mark.slow]

CLIENTS = {"blog", "kitchen", "make_client"}
HTTP_FIXTURES = CLIENTS | {"database_url"}
# Tests that reach into the FastAPI app object rather than talking HTTP (see test_unavailable.py).
RUNTIME_INTERNALS = {"test_healthz_is_503_when_the_database_does_not_answer",
                     "test_a_page_with_two_includes_runs_a_constant_number_of_statements"}

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
    "test_every_operator_on_every_scalar_type": INTERVAL + " (the sample seeds `duration`)",
    "test_prisma_spellings_and_null_in_where": INTERVAL + " (the sample seeds `duration`)",
}
# Contract the Express server does not serve yet: gaps found when the query-language modules
# (tests/adapters/fastapi/query) joined the run. Strict xfails too, so closing a gap shows up.
NOT_YET: dict[str, str] = {}
EXPECTED_FAILURES = CANNOT_MATCH | {name: "not on Express yet: " + why for name, why in NOT_YET.items()}


def _arguments(function: Callable[..., Any]) -> set[str]:
    parametrized = {name.strip() for mark in getattr(function, "pytestmark", [])
                    if mark.name == "parametrize" for name in str(mark.args[0]).split(",")}
    return set(inspect.signature(function).parameters) - parametrized


def _copy(function: types.FunctionType) -> types.FunctionType:
    """A copy to mark, so the FastAPI suite's own test keeps its marks; a parameter set named
    in EXPECTED_FAILURES (``test_x[params3]``) gets its strict xfail here."""
    copy = types.FunctionType(function.__code__, function.__globals__, function.__name__,
                              function.__defaults__, function.__closure__)
    copy.__dict__.update(function.__dict__)
    copy.pytestmark = [_mark_cases(function.__name__, mark)  # type: ignore[attr-defined]
                       for mark in getattr(function, "pytestmark", [])]
    return copy


def _mark_cases(name: str, mark: pytest.Mark) -> pytest.Mark | pytest.MarkDecorator:
    if mark.name != "parametrize" or "," in str(mark.args[0]):
        return mark
    argument, values = str(mark.args[0]).strip(), list(mark.args[1])
    cases = [pytest.param(value, marks=_xfail(reason)) if (reason := EXPECTED_FAILURES.get(
        f"{name}[{argument}{index}]")) else value for index, value in enumerate(values)]
    return pytest.mark.parametrize(argument, cases, **mark.kwargs)


def _xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(reason=reason, strict=True)


def http_tests(module: types.ModuleType) -> dict[str, types.FunctionType]:
    """The tests of ``module`` that talk HTTP only, by name."""
    return {name: function for name, function in vars(module).items()
            if name.startswith("test_") and isinstance(function, types.FunctionType)
            and function.__module__ == module.__name__
            and CLIENTS & _arguments(function) and _arguments(function) <= HTTP_FIXTURES
            and name not in RUNTIME_INTERNALS}


def _contract_tests() -> dict[str, types.FunctionType]:
    found: dict[str, types.FunctionType] = {}
    for module in CONTRACT_MODULES:
        for name, function in http_tests(module).items():
            assert name not in found, f"two contract modules define {name}"
            copy = _copy(function)
            if name in EXPECTED_FAILURES:
                copy = _xfail(EXPECTED_FAILURES[name])(copy)
            found[name] = copy
    return found


globals().update(_contract_tests())
