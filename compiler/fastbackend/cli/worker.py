"""fastbackend worker: compile, then deliver the outbox's change events without serving HTTP."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from fastbackend.cli.exit_codes import handle_errors
from fastbackend.cli.locations import shown
from fastbackend.pipeline import compile_path
from fastbackend.targets import IR_TARGET, render
from fastbackend_ir import write_if_changed

# Named by import string, as dev names its server: the compiler never imports an adapter.
WORKER = "fastbackend_fastapi.events.main"

EPILOG = """\b
Examples:
  fastbackend worker                              # the project in this folder
  DATABASE_URL=postgresql://... fastbackend worker
  FASTBACKEND_EVENTS_WORKER=0 fastbackend dev     # a server that only records events
"""


@click.command("worker", epilog=EPILOG,
               short_help="Deliver change events (webhooks, Redis, NATS, RabbitMQ).")
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--database-url", default=None,
              help="The database whose outbox to deliver (default: DATABASE_URL, else the "
                   "development SQLite file).")
@handle_errors
def worker_command(source: Path | None, database_url: str | None) -> None:
    """Compile SOURCE (default: the current folder) and deliver the change events its servers
    record (fastbackend.yaml's `events`, docs/events.md) until SIGTERM or Ctrl-C.

    Several workers (and servers) may share a PostgreSQL or MySQL outbox: each event is
    claimed by one (FOR UPDATE SKIP LOCKED). On SQLite run one.

    Exit codes: 0 after a stop, 2 when the IR has no events or a destination's environment
    variable is missing, 3 when the input does not compile.
    """
    sources, result = compile_path(source)
    for warning in sorted(result.warnings):
        click.echo(shown(warning, sources.root), err=True)
    for name, text in render(IR_TARGET, result).items():
        write_if_changed(sources.output_dir / name, text)
    run = importlib.import_module(WORKER).run
    raise SystemExit(run(sources.output_dir / "ir.json", database_url))
