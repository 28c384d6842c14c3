"""Constraint names must be unique where the database keeps them (psl-core's constraint
namespaces): two indexes, unique constraints or primary keys named alike, by `map:` or by
Prisma's default names (`<table>_<columns>_idx`, `_key`, `_pkey`), are refused on the providers
that check them. Without the check the database refuses the second at migration or start-up.

Found by the fuzzer (tests/fuzz): a duplicated `@@index([g])` compiled, and the runtime's
`CREATE INDEX` failed. Prisma checks no namespace without a datasource, nor on CockroachDB.

A `map:` name longer than the provider's identifier length (63 bytes on PostgreSQL) is refused
too, as Prisma's engine refuses it; the names Prisma makes up itself are cut to fit instead
(fastbackend.passes.constraint_names).
"""

from __future__ import annotations

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.keys import Key, block_keys
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import SymbolTable, positional_or, string_argument
from fastbackend.passes.constraint_names import PRISMA_LIMITS, PrismaNames

_GLOBAL_KEY_INDEX = "global for indexes and unique constraints"
_GLOBAL_PRIMARY_KEY_INDEX = "global for primary key, indexes and unique constraints"
_MODEL_KEY_INDEX = "on model `{model}` for indexes and unique constraints"
_MODEL_PRIMARY_KEY_INDEX = "on model `{model}` for primary key, indexes and unique constraints"
# Per provider: the namespace of indexes and unique constraints, whether primary keys share it,
# and whether it spans the whole schema (one database schema) or one model.
_SCOPES: dict[str, tuple[str, bool, bool]] = {
    "postgresql": (_GLOBAL_PRIMARY_KEY_INDEX, True, True),
    "sqlite": (_GLOBAL_KEY_INDEX, False, True),
    "mysql": (_MODEL_KEY_INDEX, False, False),
    "sqlserver": (_MODEL_PRIMARY_KEY_INDEX, True, False),
}


def check(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    return _too_long(schema, symbols) + _clashes(schema, symbols)


def _too_long(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    """psl's is_db_name_too_long, for `map:` on keys, indexes and relations."""
    limit = PRISMA_LIMITS.get(symbols.provider or "")
    if limit is None:
        return []
    problems = []
    for block in schema.blocks:
        if block.kind != "model":
            continue
        named = [(key.attribute, key.label) for key in block_keys(block, symbols)]
        named += [(attr, "@relation") for decl in block.fields
                  if (attr := decl.attribute("relation")) is not None]
        for attribute, label in named:
            name = string_argument(attribute, "map")
            if name is not None and len(name.encode()) > limit:
                problems.append(Problem(attribute.span, "FB205", f'Error validating model '
                                        f'"{block.name}": The constraint name \'{name}\' specified '
                                        f"in the `map` argument for the `{label}` constraint is too "
                                        "long for your chosen provider. The maximum allowed length "
                                        f"is {limit} bytes."))
    return problems


def _clashes(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    scope = _SCOPES.get(symbols.provider or "")
    if scope is None:
        return []
    message, primary_keys, global_scope = scope
    seen: dict[tuple[str, ...], list[tuple[Key, ast.Block]]] = {}
    models: set[str] = set()
    for block in schema.blocks:
        # A second model of one name is FB203 alone, as Prisma stops there.
        if block.kind != "model" or block.name in models:
            continue
        models.add(block.name)
        for key in block_keys(block, symbols):
            if key.kind == "id" and not primary_keys:
                continue
            where = (_string(block.attribute("schema"), "name") or "") if global_scope else block.name
            seen.setdefault((where, _name(block, key, symbols.provider)), []).append((key, block))
    problems = []
    for (_, name), keys in seen.items():
        if len(keys) < 2:
            continue
        for key, block in keys:
            namespace = message.format(model=block.name)
            problems.append(Problem(key.attribute.span, "FB205", f'Error parsing attribute '
                                    f'"{key.label}": The given constraint name `{name}` has to be '
                                    f"unique in the following namespace: {namespace}. Please "
                                    "provide a different name using the `map` argument."))
    return problems


def _name(block: ast.Block, key: Key, provider: str | None) -> str:
    """The database name: `map:` (or an index's `name:`), else Prisma's default name."""
    given = string_argument(key.attribute, "map")
    if given is None and key.kind == "normal":
        given = string_argument(key.attribute, "name")
    if given is not None:
        return given
    table = _string(block.attribute("map"), "name") or block.name
    rule = PrismaNames(provider)  # the names the IR records, cut to the provider's length
    if key.kind == "id":
        return rule.primary_key(table)
    columns = [_column(block, field.name) for field in key.fields]
    return rule.unique(table, columns) if key.kind == "unique" else rule.index(table, columns)


def _string(attribute: ast.Attribute | None, key: str) -> str | None:
    value = positional_or(attribute, key)
    return value.value if isinstance(value, ast.StringValue) else None


def _column(block: ast.Block, field: str) -> str:
    for decl in block.fields:
        if decl.name == field:
            return _string(decl.attribute("map"), "name") or field
    return field
