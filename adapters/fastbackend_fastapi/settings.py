"""Runtime settings, read once from the environment (twelve-factor), overridable in create_app."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from fastbackend_contract.limits import from_environment as limit_from_environment
from fastbackend_contract.tables import LIMITS, Limit
from fastbackend_fastapi.database import dialects
from fastbackend_fastapi.database.execution import Execution

DocsAssets = Literal["local", "cdn"]
Pooler = Literal["none", "transaction"]
# The file of the default (embedded) database, beside the IR.
DEFAULT_DATABASE_FILE = "app.db"
PAGE_SIZES = {limit.key: limit for limit in LIMITS if limit.key in ("default_limit", "max_page_size")}


@dataclass(frozen=True)
class Settings:
    """Everything an operator may tune without touching the IR."""

    database_url: str | None = None
    # Every connection kept open: with overflow connections (SQLAlchemy's 5 + 10), sustained load
    # opened a new PostgreSQL connection per ~8 requests and served 27% fewer of them (measured:
    # 590 vs 810 req/s at 64 clients; 15 + 0 gave 793; docs/reliability.md).
    pool_size: int = 10
    max_overflow: int = 0
    # Seconds a request may wait for a free database connection before it gets a 503
    # (database-busy): PostgREST's acquisition timeout; SQLAlchemy's own default is 30 s.
    pool_timeout: float = 10.0
    # PostgreSQL (psycopg) in thread mode: reads by id run on the event loop through this many
    # asyncio connections per worker process, beside the pool's (docs/performance.md, "The
    # read path"); 0 hands them to the threads like every other call.
    async_read_pool_size: int = 10
    # Seconds to establish a PostgreSQL connection (libpq connect_timeout; 2 is its minimum).
    connect_timeout: int = 5
    # Milliseconds one statement may run before the database cancels it (a 503); 0: no limit.
    statement_timeout_ms: int = 15000
    # PostgreSQL's JIT compiles "expensive-looking" plans: for the runtime's short statements it
    # only adds latency (1.8 s of JIT for a 0.1 ms nested filter, measured), so it is switched off
    # per connection unless asked for. True leaves the server's own setting alone.
    postgres_jit: bool = False
    # "transaction": DATABASE_URL is a pooler in transaction mode (PgBouncer's pool_mode =
    # transaction): a connection's next transaction may run on another server session, so
    # nothing that lives in a session is used (no server-side prepared statements, no startup
    # options: the statement timeout and JIT belong to the database role then).
    pooler: Pooler = "none"
    # List page sizes: the contract's limits default_limit and max_page_size (its table names
    # their environment variables; fastbackend.yaml's `limits` sets them too, project.py).
    default_limit: int = int(PAGE_SIZES["default_limit"].default)
    max_limit: int = int(PAGE_SIZES["max_page_size"].default)
    # Where database calls run: on the event loop ("inline"), in a thread pool ("thread"), or
    # on an asyncio driver ("async"); "auto" takes the dialect's (Dialect.execution).
    execution: Execution = "auto"
    sqlite_busy_timeout_ms: int = 5000
    # Keys the MAC of list cursors; without it, one derived from the IR (tamper-evident only).
    cursor_secret: str | None = None
    # Where `GET /` sends a visitor (a 307); empty: `/` is not routed (404).
    root_redirect: str = "/docs"
    # Where /docs and /redoc load Swagger UI and ReDoc from: "local" (served by the runtime
    # from the fastapi-offline package, works offline) or "cdn" (FastAPI's default CDN).
    docs_assets: DocsAssets = "local"

    def with_database_url(self, url: str | None) -> Settings:
        return self if url is None else replace(self, database_url=url)

    def resolved_database_url(self, data_dir: Path) -> str:
        """DATABASE_URL, else the default database's file (SQLite) in ``data_dir`` (the
        folder of the IR file)."""
        if self.database_url:
            return dialects.normalise_url(self.database_url)
        return dialects.DEFAULT.file_url((data_dir / DEFAULT_DATABASE_FILE).resolve())


def from_environment(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    execution = env.get("FASTBACKEND_EXECUTION", Settings.execution)
    if execution not in ("auto", "inline", "thread", "async"):
        raise ValueError("FASTBACKEND_EXECUTION must be auto, inline, thread or async, "
                         f"not {execution!r}")
    pooler = env.get("FASTBACKEND_POOLER", "") or Settings.pooler
    if pooler not in ("none", "transaction"):
        raise ValueError(f"FASTBACKEND_POOLER must be none or transaction, not {pooler!r}")
    docs_assets = env.get("FASTBACKEND_DOCS_ASSETS", "") or Settings.docs_assets
    if docs_assets not in ("local", "cdn"):
        raise ValueError(f"FASTBACKEND_DOCS_ASSETS must be local or cdn, not {docs_assets!r}")
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        pool_size=_int(env, "FASTBACKEND_POOL_SIZE", Settings.pool_size),
        max_overflow=_int(env, "FASTBACKEND_MAX_OVERFLOW", Settings.max_overflow),
        pool_timeout=_float(env, "FASTBACKEND_POOL_TIMEOUT", Settings.pool_timeout),
        async_read_pool_size=_int(env, "FASTBACKEND_ASYNC_READ_POOL_SIZE",
                                  Settings.async_read_pool_size),
        connect_timeout=_int(env, "FASTBACKEND_CONNECT_TIMEOUT", Settings.connect_timeout),
        statement_timeout_ms=_int(env, "FASTBACKEND_STATEMENT_TIMEOUT_MS",
                                  Settings.statement_timeout_ms),
        postgres_jit=_bool(env, "FASTBACKEND_POSTGRES_JIT", Settings.postgres_jit),
        pooler=pooler,  # type: ignore[arg-type]  # checked just above
        sqlite_busy_timeout_ms=_int(env, "FASTBACKEND_SQLITE_BUSY_TIMEOUT_MS",
                                    Settings.sqlite_busy_timeout_ms),
        default_limit=_page_size(env, PAGE_SIZES["default_limit"]),
        max_limit=_page_size(env, PAGE_SIZES["max_page_size"]),
        execution=execution,  # type: ignore[arg-type]  # checked just above
        cursor_secret=env.get("FASTBACKEND_CURSOR_SECRET") or None,
        root_redirect=env.get("FASTBACKEND_ROOT_REDIRECT", Settings.root_redirect).strip(),
        docs_assets=docs_assets,  # type: ignore[arg-type]  # checked just above
    )


def _page_size(env: dict[str, str], limit: Limit) -> int:
    return int(limit_from_environment(limit, env) or limit.default)


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from None


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0 (true or false), not {env[name]!r}")
