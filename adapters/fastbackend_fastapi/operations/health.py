"""`/livez` (the process answers) and `/readyz` (the database answers and is at the head of
the project's migrations/), beside `/healthz` (the database answers; app.py).

A load balancer sends traffic to an instance while /readyz is 200; an orchestrator restarts one
whose /livez stops answering. /livez never touches the database: a database outage must not
restart every instance. A project without migrations/ (tables created from the IR at start-up)
is at its head by definition.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from fastapi import FastAPI
from fastapi.responses import Response

from fastbackend_fastapi import database, problems
from fastbackend_fastapi.database import errors as db_errors
from fastbackend_fastapi.runtime import Runtime

if TYPE_CHECKING:  # Alembic is imported only for a project with migrations/
    from fastbackend_fastapi.database.migrations import Head

LIVE = b'{"status":"ok"}'
READY = b'{"status":"ok","database":"ok","migrations":"ok"}'
NOT_READY_RETRY_SECONDS = "30"
MIGRATIONS = "migrations"  # the folder `fastbackend migrate` writes, in the project folder


def migrations_head(project_folder: Path) -> Head | None:
    """The head of the project's migrations/ (None without revisions), read once: a new
    revision means a new deployment. database/migrations.py decides what "at head" is."""
    if not (project_folder / MIGRATIONS / "versions").is_dir():
        return None
    # Alembic only for a project with migrations/ (its import costs start-up time otherwise)
    from fastbackend_fastapi.database.migrations import Head

    return Head(project_folder / MIGRATIONS)


def install(app: FastAPI, runtime: Runtime, project_folder: Path) -> None:
    head = migrations_head(project_folder)

    async def livez() -> Response:
        return Response(LIVE, media_type="application/json")

    async def readyz() -> Response:
        def check(connection: sa.Connection) -> list[str]:
            database.check_connection(connection)
            return head.pending_on(connection) if head is not None else []

        try:
            pending = await runtime.database.read(check, primary=True)
        except problems.Problem as problem:  # busy, unavailable: the runtime's own answer
            return problems.render(problem, "/readyz")
        except sa_exc.SQLAlchemyError:
            return problems.render(db_errors.unavailable(), "/readyz")
        if pending:
            return problems.render(problems.Problem(
                503, "not-ready", f"the database is not at the migrations' head (not applied: "
                f"{', '.join(pending)}): run `fastbackend migrate --apply`",
                headers={"Retry-After": NOT_READY_RETRY_SECONDS}), "/readyz")
        return Response(READY, media_type="application/json")

    # The emitter documents both (fastbackend_openapi/paths.py PROBES), as for every server.
    app.add_api_route("/livez", livez, methods=["GET"], response_model=None,
                      include_in_schema=False)
    app.add_api_route("/readyz", readyz, methods=["GET"], response_model=None,
                      include_in_schema=False)
