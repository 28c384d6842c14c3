"""create_app: the IR in, a FastAPI application with real persistence out."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy.exc as sa_exc
from fastapi import FastAPI
from fastapi.responses import Response
from starlette.routing import Route

from fastbackend_contract.config import environment
from fastbackend_fastapi import (
    contract,
    custom,
    database,
    dispatch,
    docs,
    methods,
    openapi,
    problems,
    project,
    root,
    routing,
    scope,
    security,
)
from fastbackend_fastapi.auth import Auth, Guard
from fastbackend_fastapi.database import errors as db_errors
from fastbackend_fastapi.database import resolve_execution
from fastbackend_fastapi.events import service as events_service
from fastbackend_fastapi.events.outbox import Outbox
from fastbackend_fastapi.events.realtime import Hub
from fastbackend_fastapi.events.service import Background
from fastbackend_fastapi.operations import wiring as operations
from fastbackend_fastapi.routes import batch
from fastbackend_fastapi.runtime import Database, Runtime, build_entity_runtime
from fastbackend_fastapi.settings import Settings, from_environment
from fastbackend_fastapi.tables import Catalog, build_catalog
from fastbackend_ir import IR, Entity, load
from fastbackend_ir.contract import live_references
from fastbackend_ir.routable import routable
from fastbackend_openapi.info import info as openapi_info

DEFAULT_CUSTOM = Path("app") / "custom"
_UNSET = Path()


# FastAPI's own OpenTelemetry (0.16x) asks the global providers whether they are set on every
# request: ~10 µs of a 110 µs read by id, in process. Tracing is fastbackend.yaml's to switch
# on (docs/operations.md): operations/telemetry.py instruments the app with its own provider.
_WITHOUT_NATIVE_TELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {})

def create_app(ir: IR | str | Path, database_url: str | None = None,
               custom_path: str | Path | None = _UNSET,
               settings: Settings | None = None, *, auth: Auth | None = None,
               security_settings: security.Security | None = None,
               project_path: str | Path | None = None) -> FastAPI:
    """Serve the REST contract of ``ir`` (an IR or the path of an ir.json).

    ``database_url`` overrides DATABASE_URL; without either, data goes to a SQLite file beside
    the IR file (``.fastbackend/app.db``). ``custom_path`` is the folder of custom routers
    (default: app/custom under the project folder; None for none). The project folder (default:
    the IR file's folder's parent) holds fastbackend.yaml: ``auth`` and ``security_settings``
    given here replace its `auth` and its `cors`/`limits`/`headers`.
    """
    ir_path = None if isinstance(ir, IR) else Path(ir)
    source = load(ir_path) if ir_path is not None else ir
    assert isinstance(source, IR)
    # An entity whose key no URL can carry gets no routes; the document says why (routable.py).
    document = routable(contract.recorded(source))  # routes and roles: the IR's (IR 1.2)
    data_dir = ir_path.parent if ir_path is not None else Path.cwd() / ".fastbackend"
    folder = Path(project_path) if project_path is not None else _project_folder(ir_path)
    configured = project.load(folder, document)
    auth = auth if auth is not None else configured.auth
    if settings is None:  # the limits' variables, else fastbackend.yaml's, else the defaults
        settings = replace(from_environment(), default_limit=configured.pages.default,
                           max_limit=configured.pages.maximum)
    settings = settings.with_database_url(database_url)
    runtime = build_runtime(document, settings, data_dir, auth)
    hub = _realtime_hub(runtime)
    delivery = _events_worker(runtime, folder)
    title = openapi_info(document)["title"]
    # A path has one spelling: `/posts/` is a 404 as on the Express server, not a 307 to /posts
    app = FastAPI(title=title, lifespan=_lifespan(runtime, delivery, hub), docs_url=None, redoc_url=None,
                  redirect_slashes=False, **_WITHOUT_NATIVE_TELEMETRY)
    app.state.runtime = runtime
    app.state.source_ir = source  # what /openapi.json documents (with the reasons above)
    if auth is not None:
        app.state.guard = Guard(auth, app)
    problems.install(app)
    methods.install(app)
    security.install(app, security_settings or configured.security)
    _add_health(app, runtime)
    operations.install(app, runtime, configured.operations, folder)  # docs/operations.md
    code = custom.discover(_custom_folder(custom_path, ir_path), folder)
    custom.include(app, code)
    _add_generated(app, document, runtime, code)
    root.install(app, settings.root_redirect)
    openapi.install(app)
    docs.install(app, title, settings.docs_assets)
    dispatch.install(app)  # routes found by first segment and method (dispatch.py)
    return app


def _add_generated(app: FastAPI, document: IR, runtime: Runtime,
                   code: custom.CustomCode) -> None:
    """Generated routes after the custom ones; then the overrides take their places."""
    before = len(app.router.routes)
    for entity in document.entities.values():
        routing.add_entity_routes(app, runtime, entity)
    for entity in document.entities.values():
        routing.add_relation_routes(app, document, runtime, entity)
    batch.add_batch_route(app, runtime)  # POST /_batch: the writes above, in one transaction
    generated = [r for r in app.router.routes[before:] if isinstance(r, Route)]
    custom.warn_shadowed(code.routes(), generated)
    guard: Guard | None = getattr(app.state, "guard", None)
    custom.apply_overrides(app, code, generated,
                           guard.checks if guard is not None else _no_checks)


def _no_checks(path: str, method: str) -> list[Any]:
    return []


def _project_folder(ir_path: Path | None) -> Path:
    return ir_path.resolve().parent.parent if ir_path is not None else Path.cwd()


def _scoping(ir: IR, catalog: Catalog, auth: Auth | None, entity: Entity) -> tuple[Any, ...]:
    """The scope fields, filled fields and checked references of ``entity`` (scope.py): its
    foreign keys into scoped entities, and into soft-deleting ones (live_references)."""
    live = {fk.fields for fk in live_references(ir, entity)}
    checks = []
    for fk in entity.foreign_keys:
        target_scope = tuple(auth.model(fk.references.entity).scope) if auth else ()
        if target_scope or fk.fields in live:
            target = catalog.entity_table(fk.references.entity)
            checks.append(scope.reference_check(entity.name, target.table, target.columns,
                                                fk.references.entity, fk.fields,
                                                fk.references.fields, target_scope))
    if auth is None:
        return (), (), tuple(checks)
    model = auth.model(entity.name)
    return tuple(model.scope), model.fill_fields, tuple(checks)


def build_runtime(ir: IR, settings: Settings, data_dir: Path,
                  auth: Auth | None = None) -> Runtime:
    catalog = build_catalog(ir)
    url = settings.resolved_database_url(data_dir)
    engine = database.with_schemas(database.create_engine(url, settings), catalog.schemas())
    views = frozenset(e.table for e in ir.entities.values() if e.kind == "view")
    try:
        database.create_tables(engine, catalog.metadata, skip=views)
        database.check_server_defaults(engine, catalog.metadata, skip=views)
    except database.UnsupportedSQL:
        engine.dispose()  # the server does not start: leave no connection open
        raise
    execution = resolve_execution(settings.execution, engine.dialect.name)
    async_engine = database.create_async_engine(url, settings) if execution == "async" else None
    # One thread per pooled connection: more threads would only wait for a connection.
    outbox = None if ir.events is None or catalog.outbox is None else Outbox(
        ir.events, catalog.outbox, catalog.images)
    # Thread mode's direct reads on the event loop, where the database's driver has an
    # asyncio connection (docs/performance.md, "The read path").
    async_reads = database.async_reads(engine, url, settings) if execution == "thread" else None
    db = Database(engine, catalog, execution, threads=settings.pool_size + settings.max_overflow,
                  async_engine=async_engine, outbox=outbox, async_reads=async_reads)
    entities = {name: build_entity_runtime(ir, catalog, entity, settings,
                                           *_scoping(ir, catalog, auth, entity))
                for name, entity in ir.entities.items()}
    return Runtime(ir, settings, catalog, db, entities)


def _custom_folder(custom_path: str | Path | None, ir_path: Path | None) -> Path | None:
    if custom_path is None:
        return None
    if custom_path is not _UNSET:
        return Path(custom_path)
    return _project_folder(ir_path) / DEFAULT_CUSTOM


def _events_worker(runtime: Runtime, folder: Path) -> Background | None:
    """The events' delivery inside the server (docs/events.md); EventsConfigError (startup
    stops) when a destination's variable is missing from the environment and .env."""
    events, table = runtime.ir.events, runtime.catalog.outbox
    if events is None or table is None or not events_service.in_server():
        return None
    try:
        worker = events_service.build_worker(runtime.database.engine, table, events,
                                             environment(folder))
    except Exception:
        runtime.database.executor.shutdown(wait=False)
        runtime.database.engine.dispose()  # the server does not start: leave nothing open
        raise
    runtime.database.on_commit = _chain(runtime.database.on_commit, worker.notify)
    return Background(worker)


def _chain(first: Any, then: Any) -> Any:
    """Both callbacks after a commit (the realtime hub's and the worker's)."""
    if first is None:
        return then

    def both() -> None:
        first()
        then()

    return both


def _realtime_hub(runtime: Runtime) -> Hub | None:
    """The realtime feeds' hub (events/realtime.py) when events.realtime names entities."""
    events, table = runtime.ir.events, runtime.catalog.outbox
    if events is None or table is None or not events.realtime:
        return None
    hub = Hub(runtime.database.engine, table, events, runtime.catalog.images)
    runtime.database.feed = hub
    runtime.database.on_commit = _chain(runtime.database.on_commit, hub.wake)
    return hub


def _lifespan(runtime: Runtime, delivery: Background | None,  # type: ignore[no-untyped-def]
              hub: Hub | None = None):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if hub is not None:
            await hub.start()
        if delivery is not None:
            delivery.start()
        yield
        if hub is not None:
            await hub.close()  # open streams end
        if delivery is not None:
            await delivery.close()
        await runtime.database.close()

    return lifespan


def _add_health(app: FastAPI, runtime: Runtime) -> None:
    async def healthz() -> Response:
        try:
            await runtime.database.read(lambda c: database.check_connection(c), primary=True)
        except problems.Problem as problem:  # the runtime's own answer (busy, unavailable, ...)
            return problems.render(problem, "/healthz")
        except sa_exc.SQLAlchemyError:
            return problems.render(db_errors.unavailable(), "/healthz")
        return Response(b'{"status":"ok","database":"ok"}', media_type="application/json")

    app.add_api_route("/healthz", healthz, methods=["GET"], operation_id="healthz",
                      tags=["health"], response_model=None)
