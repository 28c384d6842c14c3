"""`fastbackend test` and the runtime's pytest plugin (`client` and `db` fixtures)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fastbackend.cli.main import cli
from fastbackend.cli.test import split_arguments

pytestmark = pytest.mark.slow  # each case runs pytest in a subprocess

FAILING_TEST = '''
def test_authors_start_empty(client):
    assert client.get("/authors").json()["meta"]["total"] == 1
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    CliRunner().invoke(cli, ["init", str(folder), "-q"], catch_exceptions=False)
    return folder


def run_test(*args: str) -> tuple[int, str]:
    """Like a shell would: the subprocess's pytest writes to the real stdout, so run the CLI as
    a process too and read what it printed."""
    done = subprocess.run([sys.executable, "-c", "from fastbackend.cli.main import main; main()",
                           "test", *args], capture_output=True, text=True, timeout=300,
                          env=_without_project_variable(), check=False)
    return done.returncode, done.stdout + done.stderr


def _without_project_variable() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("FASTBACKEND_PROJECT", "DATABASE_URL")}


def test_the_generated_tests_pass_on_fresh_databases(project: Path) -> None:
    code, output = run_test(str(project), "-p", "no:cacheprovider")
    assert code == 0, output
    assert "5 passed" in output
    assert (project / ".fastbackend" / "ir.json").is_file()  # compiled first
    assert not (project / ".fastbackend" / "app.db").exists()  # the dev database is untouched


def test_a_failing_test_gives_pytests_exit_code(project: Path) -> None:
    (project / "tests" / "test_more.py").write_text(FAILING_TEST, "utf-8")
    code, output = run_test(str(project), "-p", "no:cacheprovider", "-k", "start_empty")
    assert code == 1
    assert "1 failed" in output and "assert 0 == 1" in output


def test_models_that_do_not_compile_exit_3_before_pytest(project: Path) -> None:
    (project / "models.py").write_text("class Broken(:\n", "utf-8")
    code, output = run_test(str(project))
    assert code == 3
    assert "error FB101" in output and "passed" not in output


def test_the_plugin_is_inert_outside_a_fastbackend_project(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text("def test_x(client):\n    pass\n", "utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env=_without_project_variable(), check=False)
    assert done.returncode == 1
    assert "fixture 'client' not found" in done.stdout


@pytest.mark.parametrize(("arguments", "expected"), [
    ((), (None, ())),
    (("-k", "x"), (None, ("-k", "x"))),
    (("app", "-x"), (Path("app"), ("-x",))),
])
def test_the_first_argument_is_source_unless_it_is_an_option(
        arguments: tuple[str, ...], expected: tuple[Path | None, tuple[str, ...]]) -> None:
    assert split_arguments(arguments) == expected


def test_in_process_the_exit_code_is_pytests(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FASTBACKEND_PROJECT", raising=False)
    (project / "tests" / "test_more.py").write_text(FAILING_TEST, "utf-8")
    result = CliRunner().invoke(cli, ["test", str(project), "-p", "no:cacheprovider", "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    passing = CliRunner().invoke(cli, ["test", str(project), "-k", "custom", "-q",
                                       "-p", "no:cacheprovider"], catch_exceptions=False)
    assert passing.exit_code == 0
