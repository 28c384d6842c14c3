"""Fields: matched by name, then by column (a rename where the other name stays)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from fastbackend.diff.column_types import Change, type_changes, type_label
from fastbackend.diff.contract import compare_roles
from fastbackend.diff.findings import Collector
from fastbackend.diff.matching import Item, listed, match
from fastbackend.diff.scope import EntityPair
from fastbackend_ir import Default, Field, GeneratorDefault, LiteralDefault, SqlDefault


def compare_fields(pair: EntityPair, out: Collector) -> None:
    by_name = match(listed(pair.base.fields), listed(pair.head.fields), lambda f: f.name)
    by_column = match(by_name.removed, by_name.added, lambda f: f.column)
    for old, new in by_name.pairs:
        _compare(pair, old, new, out)
    for old, new in by_column.pairs:
        out.add("field-renamed", pair.identity(new.node.name),
                f"{pair.head.name}.{old.node.name} renamed to {new.node.name} "
                f"(column {new.node.column} kept)", _at(pair.head_at, new))
        _compare(pair, old, new, out)
    for item in by_column.removed:
        _removed(pair, item, by_column.added, out)
    for item in by_column.added:
        _added(pair, item, out)


def _at(entity_at: str, item: Item[Field]) -> str:
    return f"{entity_at}/fields/{item.token}"


def _compare(pair: EntityPair, old: Item[Field], new: Item[Field], out: Collector) -> None:
    at = _at(pair.head_at, new)
    name = f"{pair.head.name}.{new.node.name}"
    before = replace(old.node, enum=pair.renames.enum(old.node.enum))
    reported = len(out.findings)
    for check in CHECKS:
        for rule_id, message in check(before, new.node):
            out.add(rule_id, pair.identity(new.node.name), f"{name}: {message}", at)
    if len(out.findings) == reported:  # roles changed by the field's own facts are explained
        compare_roles(pair, old.node, new.node, at, out)


def _removed(pair: EntityPair, item: Item[Field], added: list[Item[Field]],
             out: Collector) -> None:
    gone = item.node
    twins = [a.node.name for a in added if type_label(a.node) == type_label(gone)]
    hint = f"possible rename to {', '.join(twins)} (both name and column changed)" if twins \
        else None
    out.add("field-removed", pair.identity(gone.name),
            f"{pair.base.name}.{gone.name} removed (column {gone.column})",
            _at(pair.base_at, item), side="base", hint=hint)


def _added(pair: EntityPair, item: Item[Field], out: Collector) -> None:
    spec = item.node
    if api_required(spec):
        rule_id, why = "field-added-required", "required on create, no database default"
    elif db_needs_value(spec):
        rule_id, why = "field-added-without-db-default", "NOT NULL without a database default"
    else:
        rule_id, why = "field-added-optional", "optional"
    out.add(rule_id, pair.identity(spec.name),
            f"{pair.head.name}.{spec.name} added ({type_label(spec)}, {why})",
            _at(pair.head_at, item))


def api_required(spec: Field) -> bool:
    """A client must send it on create."""
    supplied = spec.default is not None or spec.autoincrement or spec.updated_at
    return not (spec.nullable or supplied or spec.api.read_only or spec.api.hidden)


def db_needs_value(spec: Field) -> bool:
    """Adding the column to a table with rows fails."""
    return not (spec.nullable or spec.autoincrement or is_server_default(spec.default))


def is_server_default(default: Default | None) -> bool:
    if isinstance(default, SqlDefault):
        return True
    return isinstance(default, LiteralDefault | GeneratorDefault) and default.server


def default_label(default: Default | None) -> str:
    if isinstance(default, LiteralDefault):
        return repr(default.value) + (" (server)" if default.server else "")
    if isinstance(default, GeneratorDefault):
        return f"{default.name}()" + (" (server)" if default.server else "")
    if isinstance(default, SqlDefault):
        return f"SQL {default.expression}"
    return "none"


def _column(old: Field, new: Field) -> Iterator[Change]:
    if old.column != new.column:
        yield "field-column-renamed", f"column renamed {old.column} -> {new.column}"


def _nullable(old: Field, new: Field) -> Iterator[Change]:
    if old.nullable and not new.nullable:
        yield "field-made-required", "nullable -> required"
    elif new.nullable and not old.nullable:
        yield "field-made-nullable", "required -> nullable"


def _default(old: Field, new: Field) -> Iterator[Change]:
    if old.default == new.default:
        return
    shown = f"default {default_label(old.default)} -> {default_label(new.default)}"
    if old.default is None:
        yield "field-default-added", shown
    elif new.default is None:
        required = api_required(new) or db_needs_value(new)
        yield ("field-default-removed-required" if required else "field-default-removed"), shown
    else:
        yield "field-default-changed", shown


def _flag(rule_prefix: str, label: str, read: Callable[[Field], bool]) -> Callable[
        [Field, Field], Iterator[Change]]:
    def check(old: Field, new: Field) -> Iterator[Change]:
        if read(new) and not read(old):
            yield f"{rule_prefix}-added", f"now {label}"
        elif read(old) and not read(new):
            yield f"{rule_prefix}-removed", f"no longer {label}"
    return check


def _changed(rule_id: str, label: str, read: Callable[[Field], object]) -> Callable[
        [Field, Field], Iterator[Change]]:
    def check(old: Field, new: Field) -> Iterator[Change]:
        if read(old) != read(new):
            yield rule_id, f"{label} {read(old)} -> {read(new)}"
    return check


def _description(old: Field, new: Field) -> Iterator[Change]:
    if old.description != new.description:
        yield "description-changed", "description changed"


CHECKS: tuple[Callable[[Field, Field], Iterator[Change]], ...] = (
    _column,
    type_changes,
    _nullable,
    _default,
    _flag("field-read-only", "read-only", lambda f: f.api.read_only),
    _flag("field-write-only", "write-only", lambda f: f.api.write_only),
    _flag("field-hidden", "hidden", lambda f: f.api.hidden),
    _changed("field-autoincrement-changed", "autoincrement", lambda f: f.autoincrement),
    _changed("field-updated-at-changed", "updatedAt", lambda f: f.updated_at),
    _description,
)
