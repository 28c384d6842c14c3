"""The database family a project is written for: fastbackend.yaml's `database.provider` into
the IR's `database.provider`, as a Prisma schema's datasource puts it there.

    database:
      provider: mysql        # postgresql (the default), mysql; mariadb is mysql

A SQLAlchemy project has no datasource, yet the Express target needs the family when it is
emitted (Prisma Client is generated for one provider: docs/express.md, "MySQL and MariaDB");
the FastAPI runtime reads `DATABASE_URL` instead and ignores it. A Prisma schema's datasource
decides for itself: the setting may repeat it, never contradict it (FB410, as an unknown value).
"""

from __future__ import annotations

from dataclasses import replace

from fastbackend.config import Document
from fastbackend_contract.config import known_keys
from fastbackend_ir import IR, Database

KEYS = ("provider",)
# the value -> the IR's provider (Prisma's name: one `mysql` for MySQL and MariaDB)
PROVIDERS = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql",
             "mariadb": "mysql"}


def apply(ir: IR, document: Document) -> IR:
    """The IR with the configured provider; ConfigError FB401/FB402/FB410 at a wrong key or value."""
    raw = document.data.get("database")
    if raw is None:
        return ir
    if not isinstance(raw, dict):
        raise document.error(("database",), "FB402", "database must be a mapping "
                             "(database: {provider: mysql})")
    known_keys(document, ("database",), raw, KEYS)
    value = raw.get("provider")
    if value is None:
        return ir
    path = ("database", "provider")
    provider = PROVIDERS.get(value) if isinstance(value, str) else None
    if provider is None:
        raise document.error(path, "FB410", f"{value!r} is not a database the servers are "
                             "emitted for; known: " + ", ".join(PROVIDERS))
    declared = ir.database.provider if ir.database is not None else None
    if declared is not None and declared != provider:
        raise document.error(path, "FB410", f"the schema's datasource says provider = "
                             f"\"{declared}\"; database.provider {value!r} contradicts it "
                             "(change one of them)")
    current = ir.database or Database()
    return replace(ir, database=replace(current, provider=provider))
