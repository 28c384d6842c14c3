"""Every test module of the FastAPI runtime is either run against the Express server or listed
as FastAPI-only with a reason (tests/adapters/express/contract.py), so a new contract test
module cannot be left out of the Express run by accident."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.express.contract import FASTAPI_ONLY, RUN_AGAINST_EXPRESS, RUNTIME_TESTS
from tests.adapters.express.test_contract import CONTRACT_MODULES, EXPECTED_FAILURES, http_tests

ROOT = Path(__file__).resolve().parents[3]
RUNTIME_FOLDER = ROOT.joinpath(*RUNTIME_TESTS.split("."))


def _runtime_test_modules() -> set[str]:
    return {".".join(path.relative_to(RUNTIME_FOLDER).with_suffix("").parts)
            for path in RUNTIME_FOLDER.rglob("test_*.py")}


def test_every_runtime_test_module_is_run_against_express_or_fastapi_only() -> None:
    found = _runtime_test_modules()
    listed = set(RUN_AGAINST_EXPRESS) | set(FASTAPI_ONLY)
    assert sorted(found - listed) == [], (
        "new runtime test modules: add each to RUN_AGAINST_EXPRESS in "
        "tests/adapters/express/contract.py, or to FASTAPI_ONLY with the reason")
    assert sorted(listed - found) == [], "listed modules that no longer exist"
    assert set(RUN_AGAINST_EXPRESS).isdisjoint(FASTAPI_ONLY)


def test_every_fastapi_only_module_says_why() -> None:
    assert all(len(reason.split()) >= 4 for reason in FASTAPI_ONLY.values())


def test_the_meta_test_sees_the_query_folder() -> None:
    modules = _runtime_test_modules()
    assert "query.test_operators" in modules and "test_crud" in modules


def test_every_module_run_against_express_gives_tests() -> None:
    assert [module.__name__ for module in CONTRACT_MODULES if not http_tests(module)] == []


def test_every_expected_failure_names_a_collected_test() -> None:
    names = {name for module in CONTRACT_MODULES for name in http_tests(module)}
    assert sorted({key.split("[")[0] for key in EXPECTED_FAILURES} - names) == []
