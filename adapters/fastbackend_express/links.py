"""TypeScript statements that link and unlink two rows of a many-to-many relation.

Implicit relations go through Prisma's ``connect``/``disconnect`` on the owner; explicit join
models get a row created (duplicates skipped: linking twice is not an error) or deleted.
"""

from __future__ import annotations

from fastbackend_express.context import RelationView, ts
from fastbackend_express.names import delegate


def unique_literal(fields: tuple[str, ...], row: str) -> str:
    """Prisma's unique input for ``fields`` read from ``row`` (compound keys are named a_b)."""
    pairs = ", ".join(f"{field}: {row}.{field}" for field in fields)
    if len(fields) == 1:
        return f"{{ {pairs} }}"
    return f"{{ {'_'.join(fields)}: {{ {pairs} }} }}"


def _join_values(relation: RelationView, target: str) -> str:
    pairs = [f"{column}: owner.{field}" for column, field in relation.link_columns]
    pairs += [f"{column}: {target}.{field}" for column, field in relation.link_target_columns]
    return "{ " + ", ".join(pairs) + " }"


def _record(relation: RelationView, operation: str, target: str,
            destinations: list[str], indent: str) -> str:
    """The link or unlink event of the owner's row (lib/events.ts), when the IR sends it."""
    return (f"{indent}await recordEvents(tx, model, {ts(operation)}, {ts(destinations)}, [owner], "
            f"null, {{ relation: {ts(relation.relation.name)}, target: "
            f"models.{relation.target.name}, targetRow: {target} }});")


def link_statement(relation: RelationView, target: str, depth: int = 3,
                   destinations: list[str] | None = None) -> str:
    """Link, and with ``destinations`` record a link event unless the rows were linked
    already (a PUT that links twice records nothing)."""
    indent = "  " * depth
    if relation.through is not None:
        join = delegate(relation.through.model)
        create = (f"await tx.{join}.createMany({{ data: [{_join_values(relation, target)}], "
                  f"skipDuplicates: true }});")
        if not destinations:
            return indent + create
        return "\n".join([f"{indent}const {{ count: made }} = {create}",
                          f"{indent}if (made > 0) {_record(relation, 'link', target, destinations, '')}"])
    owner = unique_literal(relation.this_fields, "owner")
    connect = unique_literal(relation.target_fields, target)
    update = (f"{indent}await tx.{relation.owner_delegate}.update({{ where: {owner}, "
              f"data: {{ {relation.relation.name}: {{ connect: {connect} }} }} }});")
    if not destinations:
        return update
    return "\n".join([
        f"{indent}const linkedBefore = {_linked_count(relation, target)};",
        update,
        f"{indent}if (linkedBefore === 0) {_record(relation, 'link', target, destinations, '')}",
    ])


def _linked_count(relation: RelationView, target: str) -> str:
    owner_fields = ", ".join(f"{field}: owner.{field}" for field in relation.this_fields)
    target_fields = ", ".join(f"{field}: {target}.{field}" for field in relation.target_fields)
    return (f"await tx.{relation.target.delegate}.count({{ where: "
            f"{{ {target_fields}, {relation.inverse}: {{ some: {{ {owner_fields} }} }} }} }})")


def unlink_statement(relation: RelationView, target: str, depth: int = 3,
                     destinations: list[str] | None = None) -> str:
    indent = "  " * depth
    not_linked = (f"throw notLinked(model, req.params.key, models.{relation.target.name}, "
                  f"req.params.targetKey);")
    record = [_record(relation, "unlink", target, destinations, indent)] if destinations else []
    if relation.through is not None:
        join = delegate(relation.through.model)
        return "\n".join([
            f"{indent}const {{ count }} = await tx.{join}.deleteMany({{ where: "
            f"{_join_values(relation, target)} }});",
            f"{indent}if (count === 0) {not_linked}",
            *record,
        ])
    owner = unique_literal(relation.this_fields, "owner")
    disconnect = unique_literal(relation.target_fields, target)
    return "\n".join([
        f"{indent}const linked = {_linked_count(relation, target)};",
        f"{indent}if (linked === 0) {not_linked}",
        f"{indent}await tx.{relation.owner_delegate}.update({{ where: {owner}, "
        f"data: {{ {relation.relation.name}: {{ disconnect: {disconnect} }} }} }});",
        *record,
    ])
