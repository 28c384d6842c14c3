"""Docs stay true: every diagnostic code documented and exercised, every CLI command documented."""

from __future__ import annotations

import re
from pathlib import Path

import click

from fastbackend.cli.main import cli
from fastbackend.codes import CODES

ROOT = Path(__file__).resolve().parent.parent
DIAGNOSTICS_DOC = ROOT / "docs" / "diagnostics.md"


def _documented_codes() -> set[str]:
    return set(re.findall(r"^\| (FB\d{3}) \|", DIAGNOSTICS_DOC.read_text("utf-8"), re.MULTILINE))


def test_every_code_is_documented_and_every_documented_code_exists() -> None:
    documented = _documented_codes()
    assert sorted(set(CODES) - documented) == [], "codes missing from docs/diagnostics.md"
    assert sorted(documented - set(CODES)) == [], "documented codes missing from codes.py"


def test_every_code_is_exercised_by_a_test() -> None:
    this_file = Path(__file__).resolve()
    test_texts = "\n".join(
        path.read_text("utf-8", errors="replace")
        for path in (ROOT / "tests").rglob("*")
        if path.is_file() and path.suffix in {".py", ".txt", ".json", ".prisma", ".out", ".err"}
        and path.resolve() != this_file
    )
    unexercised = sorted(code for code in CODES if code not in test_texts)
    assert unexercised == [], "each code needs a test (or corpus case) that produces it"


def test_readme_first_screen_gives_the_two_commands() -> None:
    first_screen = "\n".join((ROOT / "README.md").read_text("utf-8").splitlines()[:30])
    assert "make demo" in first_screen and "make test" in first_screen


def test_every_cli_command_is_documented_in_the_readme_and_docs() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    cli_doc = (ROOT / "docs" / "cli.md").read_text("utf-8")
    for name in cli.list_commands(click.Context(cli)):
        assert f"fastbackend {name}" in readme, f"README does not document `fastbackend {name}`"
        assert f"## fastbackend {name}" in cli_doc, f"docs/cli.md has no section for {name}"
