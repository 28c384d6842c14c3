"""fastbackend dev: compile, then serve the REST API with the FastAPI runtime."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import Any

import click

from fastbackend.cli.dev_reload import Supervisor
from fastbackend.cli.exit_codes import UsageError, handle_errors
from fastbackend.cli.project import compile_project
from fastbackend.sources import SourceSet, resolve

# The runtime is named by import string, as a server would load it: the compiler never imports
# an adapter (DESIGN.md), and uvicorn builds the app in the process that serves it.
RUNTIME_FACTORY = "fastbackend_fastapi.asgi:create_app_from_env"
DEFAULT_PORT = 8301

EPILOG = """\b
Examples:
  fastbackend dev                    # the schema in this folder
  fastbackend dev models.py          # any models file, served at http://127.0.0.1:8301
  fastbackend dev schema.prisma --port 9000
  fastbackend dev --no-reload        # serve without watching for changes
  DATABASE_URL=postgresql://... fastbackend dev models.py
"""


@click.command("dev", epilog=EPILOG,
               short_help="Compile and serve the API, reloading on changes.")
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind (loopback by default).")
@click.option("--reload/--no-reload", default=True, show_default=True,
              help="Recompile and restart when the schema, fastbackend.yaml or code under app/ changes.")
@handle_errors
def dev_command(source: Path | None, port: int, host: str, reload: bool) -> None:
    """Compile SOURCE (default: the current folder) into .fastbackend/ir.json, then serve its
    REST API. Data goes to .fastbackend/app.db (SQLite) unless DATABASE_URL is set.

    With reload (the default), a change to the schema, fastbackend.yaml or code under app/ is
    recompiled first; the server restarts only when that succeeds. A compile error is printed
    and the last good app keeps serving.

    Exit codes: 0 after the server stops, 2 when the port is in use, 3 when the input does
    not compile (diagnostics are printed as file:line:col: error FBxxx: message).
    """
    sources, _ = _compile(source, reuse=True)
    ensure_port_free(host, port)
    click.echo(f"compiled {sources.relative(sources.entry)}; "
               f"serving http://{host}:{port} (docs at /docs)"
               + ("; reloading on changes" if reload else ""))
    serve(sources.output_dir / "ir.json", sources.root / "app" / "custom", host, port)


def _compile(source: Path | None, reuse: bool = False) -> tuple[SourceSet, bool]:
    """Compile and write the IR; True when the IR's bytes changed. ``reuse``: at start, the
    IR a previous command compiled from these very inputs (project.compile_project)."""
    compiled, changed = compile_project(source, reuse=reuse)
    return compiled.sources, changed


def serve(ir_path: Path, custom_path: Path, host: str, port: int) -> None:
    """Serve the API; under `dev --reload` (the running command's option, the default)
    through the supervisor that recompiles and restarts it (dev_reload.py)."""
    environment = {"FASTBACKEND_IR": str(ir_path.resolve()),
                   "FASTBACKEND_CUSTOM_PATH": str(custom_path.resolve())}
    options = _dev_options()
    if options is not None and options.get("reload"):
        source = options.get("source")
        sources = resolve(source)
        try:
            supervisor = Supervisor(RUNTIME_FACTORY, sources, lambda: _compile(source),
                                    environment, host, port)
        except OSError as error:  # taken since ensure_port_free looked
            raise UsageError(_cannot_listen(host, port, error)) from None
        supervisor.run()
        return
    import uvicorn

    os.environ.update(environment)
    uvicorn.run(RUNTIME_FACTORY, factory=True, host=host, port=port)


def ensure_port_free(host: str, port: int) -> None:
    """A port in use is one line and exit 2 (UsageError), not uvicorn's or the supervisor's
    traceback (`OSError: [Errno 98] Address already in use`)."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise UsageError(_cannot_listen(host, port, error)) from None


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use; stop what serves there, or choose "
                "another port with --port")
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


def _dev_options() -> dict[str, Any] | None:
    context = click.get_current_context(silent=True)
    return context.params if context is not None and context.command is dev_command else None


__all__ = ["dev_command"]
