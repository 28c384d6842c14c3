"""The database the emitted server is for, decided once per project from the IR.

Prisma Client is generated for one provider (its query compiler writes that database's SQL, and a
driver adapter of another database is refused when the client starts), so the emitted project
serves one database family: MySQL / MariaDB when the IR's datasource says ``mysql`` (a Prisma
schema's ``provider``), PostgreSQL otherwise. Everything the emitter writes that depends on it
(the datasource, native types, quoted names, placeholders, casts in the SQL it writes) is a row
of the dialect's table here; ``src/meta.ts`` names it (``DATABASE``) for the support library's
``lib/sql.ts``, which is the only place there that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend_ir import IR, Entity


@dataclass(frozen=True)
class Dialect:
    name: str  # Prisma's provider, and DATABASE in src/meta.ts
    quote: str  # an identifier's quote character
    has_schemas: bool  # a schema is a namespace inside the database (MySQL: a database of its own)
    casts_parameters: bool  # a lock's key texts are cast to the column's type ($1::int)
    raw_booleans: bool  # raw SQL reads a boolean column as a boolean (MySQL: TINYINT 0/1)
    # The name the database gives every primary key, in its errors too (MySQL's PRIMARY), or
    # None where a primary key has the IR's name of its own.
    primary_key_name: str | None

    @property
    def names_primary_keys(self) -> bool:
        return self.primary_key_name is None

    def quoted(self, name: str) -> str:
        return self.quote + name.replace(self.quote, self.quote * 2) + self.quote

    def table(self, entity: Entity) -> str:
        parts = (entity.schema, entity.table) if self.has_schemas else (entity.table,)
        return ".".join(self.quoted(part) for part in parts if part is not None)

    def placeholder(self, index: int) -> str:
        return f"${index}" if self.casts_parameters else "?"


POSTGRESQL = Dialect("postgresql", '"', has_schemas=True, casts_parameters=True, raw_booleans=True,
                     primary_key_name=None)
MYSQL = Dialect("mysql", "`", has_schemas=False, casts_parameters=False, raw_booleans=False,
                primary_key_name="PRIMARY")


def dialect_of(ir: IR) -> Dialect:
    """MySQL when the source's datasource is (Prisma's ``provider = "mysql"``), else PostgreSQL."""
    return MYSQL if ir.database is not None and ir.database.provider == "mysql" else POSTGRESQL
