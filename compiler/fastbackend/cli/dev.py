"""fastbackend dev: compile, then serve the REST API with the FastAPI runtime."""

from __future__ import annotations

import os
from pathlib import Path

import click

from fastbackend.cli.exit_codes import handle_errors
from fastbackend.pipeline import compile_path
from fastbackend.targets import IR_TARGET, render
from fastbackend_ir import write_if_changed

# The runtime is named by import string, as a server would load it: the compiler never imports
# an adapter (DESIGN.md), and uvicorn builds the app in the process that serves it.
RUNTIME_FACTORY = "fastbackend_fastapi.asgi:create_app_from_env"
DEFAULT_PORT = 8301

EPILOG = """\b
Examples:
  fastbackend dev                    # the schema in this folder
  fastbackend dev models.py          # any models file, served at http://127.0.0.1:8301
  fastbackend dev schema.prisma --port 9000
  DATABASE_URL=postgresql://... fastbackend dev models.py
"""


@click.command("dev", epilog=EPILOG)
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind (loopback by default).")
@handle_errors
def dev_command(source: Path | None, port: int, host: str) -> None:
    """Compile SOURCE (default: the current folder) into .fastbackend/ir.json, then serve its
    REST API. Data goes to .fastbackend/app.db (SQLite) unless DATABASE_URL is set.

    Exit codes: 0 after the server stops, 3 when the input does not compile (diagnostics are
    printed as file:line:col: error FBxxx: message).
    """
    sources, result = compile_path(source)
    for warning in sorted(result.warnings):
        click.echo(warning.format(), err=True)
    out_dir = sources.output_dir
    for name, text in render(IR_TARGET, result).items():
        write_if_changed(out_dir / name, text)
    click.echo(f"compiled {sources.relative(sources.entry)}: {len(result.ir.entities)} entities; "
               f"serving http://{host}:{port} (docs at /docs)")
    serve(out_dir / "ir.json", sources.root / "app" / "custom", host, port)


def serve(ir_path: Path, custom_path: Path, host: str, port: int) -> None:
    import uvicorn

    os.environ["FASTBACKEND_IR"] = str(ir_path.resolve())
    os.environ["FASTBACKEND_CUSTOM_PATH"] = str(custom_path.resolve())
    uvicorn.run(RUNTIME_FACTORY, factory=True, host=host, port=port)


__all__ = ["dev_command"]
