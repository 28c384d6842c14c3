"""Options shared by several commands, defined once and stacked onto each command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])

source_argument = click.argument("source", required=False, type=click.Path(path_type=Path))
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print one JSON object (for scripts) instead of text.")


def source_and_quiet(command: F) -> F:
    return source_argument(quiet_option(command))
