"""`/livez` (the process answers) and `/readyz` (the database answers and is at the head of
the project's migrations/), beside `/healthz` (the database answers; app.py).

A load balancer sends traffic to an instance while /readyz is 200; an orchestrator restarts one
whose /livez stops answering. /livez never touches the database: a database outage must not
restart every instance. A project without migrations/ (tables created from the IR at start-up)
is at its head by definition.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from fastapi import FastAPI
from fastapi.responses import Response

from fastbackend_fastapi import database, problems
from fastbackend_fastapi.database import errors as db_errors
from fastbackend_fastapi.runtime import Runtime

LIVE = b'{"status":"ok"}'
READY = b'{"status":"ok","database":"ok","migrations":"ok"}'
NOT_READY_RETRY_SECONDS = "30"
MIGRATIONS = "migrations"  # the folder `fastbackend migrate` writes, in the project folder


def script_heads(project_folder: Path) -> tuple[str, ...]:
    """The head revisions of the project's migrations/ (none without revisions)."""
    folder = project_folder / MIGRATIONS
    if not (folder / "versions").is_dir():
        return ()
    # Alembic only for a project with migrations/ (its import costs start-up time otherwise)
    from alembic.script import ScriptDirectory

    return tuple(sorted(ScriptDirectory(str(folder)).get_heads()))


def database_heads(connection: sa.Connection) -> tuple[str, ...]:
    """The revisions the database records (Alembic's version table), none when it has none."""
    from alembic.runtime.migration import MigrationContext

    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def install(app: FastAPI, runtime: Runtime, project_folder: Path) -> None:
    heads = script_heads(project_folder)  # read once: a new revision means a new deployment

    async def livez() -> Response:
        return Response(LIVE, media_type="application/json")

    async def readyz() -> Response:
        def check(connection: sa.Connection) -> tuple[str, ...]:
            database.check_connection(connection)
            return database_heads(connection) if heads else ()

        try:
            current = await runtime.database.read(check, primary=True)
        except problems.Problem as problem:  # busy, unavailable: the runtime's own answer
            return problems.render(problem, "/readyz")
        except sa_exc.SQLAlchemyError:
            return problems.render(db_errors.unavailable(), "/readyz")
        if current != heads:
            at = ", ".join(current) or "no revision"
            return problems.render(problems.Problem(
                503, "not-ready", f"the database is not at the migrations' head (it is at {at}, "
                f"the head is {', '.join(heads)}): run `fastbackend migrate --apply`",
                headers={"Retry-After": NOT_READY_RETRY_SECONDS}), "/readyz")
        return Response(READY, media_type="application/json")

    # The emitter documents both (fastbackend_openapi/paths.py PROBES), as for every server.
    app.add_api_route("/livez", livez, methods=["GET"], response_model=None,
                      include_in_schema=False)
    app.add_api_route("/readyz", readyz, methods=["GET"], response_model=None,
                      include_in_schema=False)
