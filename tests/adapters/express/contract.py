"""Which of the FastAPI runtime's test modules run against the emitted Express server, and why
the others do not. A meta-test (test_contract_coverage.py) fails when a test module appears
under tests/adapters/fastapi without being in one of the two lists.

A module in ``RUN_AGAINST_EXPRESS`` gives every test that talks HTTP only (through the ``blog``
or ``kitchen`` client or ``make_client``, plus ``database_url`` to look at stored values);
``FASTAPI_ONLY`` names the rest with the reason.
"""

from __future__ import annotations

RUNTIME_TESTS = "tests.adapters.fastapi"
RUN_AGAINST_EXPRESS: tuple[str, ...] = (
    "test_app", "test_crud", "test_errors", "test_etags", "test_no_500", "test_relations",
    "test_types", "query.test_kitchen_includes", "query.test_operators", "query.test_relations",
    "test_first_contact", "test_generated_keys", "test_methods", "test_prefer",
    "test_bulk_writes", "test_upsert", "test_aggregates", "test_nested_writes", "test_nested_updates",
    "test_upsert_post", "test_included",
)
_APP = "drives the FastAPI app object or its settings, not HTTP"
FASTAPI_ONLY: dict[str, str] = {
    "test_direct_reads": "the runtime's reads through the driver (database/direct.py) against "
                         "SQLAlchemy's own rows; the answers' bytes on both servers: the parity "
                         "suite",
    "test_fast_reads": "the runtime's reads by id without SQLAlchemy's Connection (an asyncio "
                       "driver connection, a pooled DBAPI one) and its start-up probe",
    "test_dispatch": "the runtime's route index against FastAPI's own router",
    "operations.test_config": "the runtime's operations settings in fastbackend.yaml (Express "
                              "serves request ids and probes unconfigured)",
    "operations.test_health": "/readyz against Alembic's version table of the runtime's "
                              "migrations; /livez and /readyz on Express: the parity suite",
    "operations.test_instances": "Redis rate limits and request ids across two uvicorn "
                                 "processes; Express and FastAPI sharing Redis buckets: "
                                 "tests/adapters/express/test_rate_limits.py",
    "operations.test_lazy_imports": "which Python modules an off feature imports",
    "operations.test_metrics": "database-error metrics and metrics.path from fastbackend.yaml "
                               "are the runtime's; request counts, latency and the pool on "
                               "both: tests/adapters/express/test_metrics.py",
    "operations.test_rate_limits": "the runtime's settings from fastbackend.yaml; buckets, "
                                   "headers, 429 and per-route policies on both: "
                                   "tests/adapters/express/test_rate_limits.py",
    "operations.test_replica_settings": "read replicas are the runtime's only (its SQLAlchemy "
                                        "engines; Express has one Prisma client)",
    "operations.test_request_ids": "request ids in the runtime's 500s; the header and problem "
                                   "field on Express: the parity suite; JSON logs on both: "
                                   "tests/adapters/express/test_logs.py",
    "operations.test_tracing": "the runtime's in-process span exporter (app.state's tracer "
                               "provider); the spans of both servers compared, Express's "
                               "over OTLP/HTTP: tests/adapters/express/test_tracing.py",
    "test_aggregate_timeout": "the aggregate timeout set in the environment of a runtime it "
                              "starts, on SQLite (the Express server's is its transaction's "
                              "timeout, read at its start)",
    "test_dialect_boundary": "a source check of the runtime's Python package",
    "test_replica_router": "the runtime's read-replica router on a fake clock (Express has "
                           "one Prisma client)",
    "test_pooler_setting": "FASTBACKEND_POOLER turns off psycopg's prepared statements (the "
                           "runtime's driver)",
    "test_dialects": "how the runtime picks its SQLAlchemy dialect module",
    "test_mysql_dialect": "the runtime's MySQL/MariaDB dialect module (the Express server's "
                          "MySQL SQL: tests/adapters/express/test_mysql.py and the parity "
                          "corpus on MariaDB)",
    "query.test_enum_cursor": "keyset pages over an enum sort on the runtime's dialects; the "
                              "Express server's: the parity corpus on MariaDB (blog_mysql), "
                              "which found the runtime's bug",
    "test_prefer_count": "Prefer: count's methods, planned from PostgreSQL's planner; on both "
                         "servers: the count cases of the blog parity corpus (parity_blog.py)",
    "test_mysql_round_trips": "the statements one read costs the runtime's MySQL dialect on "
                              "its pooled connection",
    "test_mysql_failures": "MariaDB's lock timeouts, deadlocks and lost connections through "
                           "the runtime's dialect",
    "test_auth": "FastAPI dependencies for auth (an extension point of the runtime, "
                 "configured in Python; the Express server's is src/custom/)",
    "test_auth_example": "boots examples/secure-blog, whose rules are FastAPI dependencies",
    "test_auth_scope": "row scopes declared as FastAPI dependencies",
    "test_upsert_post_scope": "row scopes declared as FastAPI dependencies; the Express "
                              "server's upsert race: tests/adapters/express/test_upsert_race.py, "
                              "soft delete: the blog parity corpus's upsert cases",
    "test_batch": "one app per database for the module (shared_blog), and the runtime's "
                  "configured limit; the same batches on both servers: the blog parity "
                  "corpus's batch cases (parity_blog.batch_cases)",
    "test_config": "fastbackend.yaml settings read by the runtime at startup",
    "test_limits_table": "the limits read from fastbackend.yaml and the environment at the "
                         "runtime's startup (tests/adapters/express/test_limits.py reads the "
                         "Express server's from its environment)",
    "test_custom": "app/custom/*.py routers and @override: Python extension points "
                   "(tests/adapters/express/test_custom_and_implicit.py covers src/custom/)",
    "test_database_failures": "statement and busy timeouts and an outdated schema, set up "
                              "through the runtime's Settings and Database: " + _APP,
    "test_dev": "`fastbackend dev`'s ASGI factory and reload",
    "test_execution": "the runtime's SQLAlchemy execution modes (sync, async with greenlet)",
    "test_generators": "unit tests of the runtime's Python value generators (uuid7, cuid, ...)",
    "test_security": "the runtime's settings for CORS, hosts and body limits, " + _APP,
    "test_tables": "the runtime's table builder (tables.py) on IRs edited per test; the server "
                   "timestamps it checks over HTTP are test_types' generators and defaults",
    "test_visibility": "compiles projects with fastbackend.yaml visibility and serves them "
                       "with the runtime (make_client on a new IR per test)",
    "test_workers": "several uvicorn workers of the runtime",
    "test_startup_scaling": "counts the FastAPI runtime's start-up work (create_app)",
    "test_list_defaults": "compiles a Prisma schema with list defaults and serves it with "
                          "create_app, and runs `fastbackend migrate` on it",
    "test_database_refusals": "compiles schemas per test and starts them with create_app "
                              "(start-up refusals, SQL defaults made by the application)",
    "test_enum_lists": "compiles a Prisma schema per test, serves it with create_app and runs "
                       "`fastbackend migrate` (the runtime's SQLAlchemy types for enum arrays)",
    "test_key_types": "compiles models with a key of each type per test and serves them with "
                      "create_app; the shared no-routes rule is checked on the Express project "
                      "by rendering it there",
    "test_single_table_inheritance": "compiles and migrates a models.py per test and serves it "
                                     "with create_app; the Express project (one Prisma model "
                                     "per table) is checked by rendering it there",
    "query.test_fuzz": "hypothesis over a module fixture (`seeded`) that the contract "
                       "collection does not copy; test_no_500 fuzzes the Express server",
    "query.test_keyset_walk": "seeds 100,000 rows through the runtime's engine (" + _APP + ")",
    "query.test_scope": "row scopes declared as FastAPI dependencies",
}
