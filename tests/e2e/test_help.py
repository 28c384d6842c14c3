"""Every command explains itself: `--help` with a description, examples and exit codes."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fastbackend.cli.main import cli

LIFECYCLE = ["init", "compile", "generate", "dev", "build", "test", "migrate", "docker:build"]


@pytest.mark.parametrize("name", LIFECYCLE)
def test_help_has_examples_that_use_the_command(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    shown = "compile" if name == "generate" else name
    assert f"fastbackend {shown}" in result.stdout.split("Examples:", 1)[1]


def test_the_command_list_gives_a_short_line_for_each() -> None:
    listing = CliRunner().invoke(cli, ["--help"], catch_exceptions=False).stdout
    for name in LIFECYCLE:
        (line,) = [line for line in listing.splitlines() if line.strip().startswith(name + " ")]
        assert not line.rstrip().endswith("..."), line
