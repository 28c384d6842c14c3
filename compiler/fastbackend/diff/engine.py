"""Compare two IRs: the whole model, entity by entity, field by field."""

from __future__ import annotations

from fastbackend.diff.constraints import compare_constraints
from fastbackend.diff.contract import compare_routes
from fastbackend.diff.entities import compare_entity, match_entities
from fastbackend.diff.enums import compare_enums
from fastbackend.diff.events import compare_events
from fastbackend.diff.fields import compare_fields
from fastbackend.diff.findings import Collector, Finding
from fastbackend.diff.join_tables import compare_join_tables
from fastbackend.diff.relations import compare_relations
from fastbackend.passes.contract import record
from fastbackend_ir import IR


def compare(base: IR, head: IR) -> list[Finding]:
    """Every classified change from ``base`` to ``head``, in a deterministic order."""
    base, head = record(base), record(head)  # the contract, as the compiler records it now
    out = Collector()
    _database(base, head, out)
    enum_renames = compare_enums(base, head, out)
    pairs, renames = match_entities(base, head, out, enum_renames)
    for pair in pairs:
        compare_entity(pair, out)
        compare_fields(pair, out)
        compare_constraints(pair, out)
        compare_relations(pair, out)
        compare_routes(pair, out)
    compare_join_tables(base, head, out, renames)
    compare_events(base, head, renames, out)
    return sorted(out.findings, key=lambda f: (f.identity, f.rule, f.message))


def _database(base: IR, head: IR, out: Collector) -> None:
    old = base.database.provider if base.database else None
    new = head.database.provider if head.database else None
    if old != new:
        out.add("database-provider-changed", "database",
                f"database provider {old or 'unset'} -> {new or 'unset'}", "/database")
