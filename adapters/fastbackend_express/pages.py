"""Which models' list pages the Express server reads in one SQL statement (src/lib/pages.ts).

Prisma reads a page and its count as two statements (findMany, count); the FastAPI runtime reads
both in one (the count as a scalar subquery, listing.py), and issue #21 measured the difference.
For a model whose readable fields are all of kinds that Prisma returns alike from a query and
from raw SQL, the server writes that one statement itself for the simple lists (filters on its
own fields, sort on its own fields, no cursor or include); every other list goes through Prisma.
"""

from __future__ import annotations

from fastbackend_contract import scalars
from fastbackend_express import zod
from fastbackend_express.dialect import dialect_of
from fastbackend_ir import IR, Entity, Field

# Kinds Prisma's driver adapter gives the same JavaScript value from raw SQL as from findMany.
RAW_KINDS = frozenset(row.name for row in scalars.SCALARS if row.raw_page)


def _raw_readable(ir: IR, field: Field) -> bool:
    if field.list or field.type not in RAW_KINDS:
        return False
    if field.type == "boolean" and not dialect_of(ir).raw_booleans:
        return False  # MySQL's BOOLEAN is TINYINT(1): raw SQL reads 0/1, Prisma true/false
    if field.type == "enum" and field.enum is not None:
        # Raw SQL reads the stored value; Prisma maps a stored name back to the value's name.
        return all(value.stored == value.name for value in ir.enums[field.enum].values)
    return True


def page_table(ir: IR, entity: Entity) -> str | None:
    """The quoted table a page of ``entity`` is read from in one statement, or None when its
    pages go through Prisma (a readable field of another kind, or a view)."""
    readable = [f for f in entity.fields if zod.readable(f)]
    if entity.kind == "view" or not all(_raw_readable(ir, f) for f in readable):
        return None
    return dialect_of(ir).table(entity)


def rows_raw(ir: IR, entity: Entity) -> bool:
    """Whether a row of ``entity`` is read by its key in one raw statement (src/lib/rows.ts):
    its pages are (page_table), and so are its hidden and write-only fields, which its ETag
    covers."""
    return page_table(ir, entity) is not None and all(_raw_readable(ir, f) for f in entity.fields)
