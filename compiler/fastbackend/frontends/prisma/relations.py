"""Pair each relation field with its opposite, as Prisma does, and name the relation.

A relation is identified by the pair of models and its name (`@relation("Name")`, or none). The
implicit name is `<A>To<B>` with the model names in byte order.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import SymbolTable, name_list, positional_or


@dataclass(frozen=True)
class RelationEnd:
    model: str
    field: ast.FieldDecl

    @property
    def attribute(self) -> ast.Attribute | None:
        return self.field.attribute("relation")

    @property
    def fields(self) -> tuple[str, ...]:
        attr = self.attribute
        argument = attr.named("fields") if attr else None
        return name_list(argument.value) if argument else ()

    @property
    def references(self) -> tuple[str, ...]:
        attr = self.attribute
        argument = attr.named("references") if attr else None
        return name_list(argument.value) if argument else ()

    @property
    def is_list(self) -> bool:
        return self.field.type is not None and self.field.type.modifier == "list"

    @property
    def is_optional(self) -> bool:
        return self.field.type is not None and self.field.type.modifier == "optional"

    @property
    def target(self) -> str:
        return self.field.type.name if self.field.type else ""


@dataclass(frozen=True)
class RelationPair:
    name: str
    explicit_name: str | None
    end: RelationEnd
    opposite: RelationEnd


def explicit_name(decl: ast.FieldDecl) -> str | None:
    value = positional_or(decl.attribute("relation"), "name")
    return value.value if isinstance(value, ast.StringValue) else None


def implicit_name(a: str, b: str) -> str:
    first, second = sorted((a, b), key=lambda s: s.encode())
    return f"{first}To{second}"


def pair_relations(symbols: SymbolTable) -> tuple[dict[tuple[str, str], RelationPair], list[Problem]]:
    """Map (model, field) -> its pair; problems for missing opposites and ambiguity."""
    pairs: dict[tuple[str, str], RelationPair] = {}
    problems: list[Problem] = []
    for model in symbols.models.values():
        keyless: list[RelationEnd] = []
        for decl in symbols.relation_fields(model):
            end = RelationEnd(model.name, decl)
            found = _opposites(symbols, end)
            problem = _pairing_problem(end, found)
            if problem is not None:
                if problem not in problems:
                    problems.append(problem)
                if not found and not end.fields:
                    keyless.append(end)
                continue
            name = explicit_name(decl) or implicit_name(model.name, end.target)
            pairs[(model.name, decl.name)] = RelationPair(name, explicit_name(decl), end, found[0])
        problems += _clashing_key_names(model, keyless)
    return pairs, problems


def _clashing_key_names(model: ast.Block, keyless: list[RelationEnd]) -> list[Problem]:
    """Prisma names a foreign key `<table>_<fields>_fkey`; relation fields without an opposite and
    without `fields` all get `<table>__fkey`, and two of them clash (reported on the model)."""
    if len(keyless) < 2:
        return []
    table = positional_or(model.attribute("map"), "name")
    name = f"{table.value if isinstance(table, ast.StringValue) else model.name}__fkey"
    return [Problem(model.span, "FB209", "Error parsing attribute \"@relation\": The given "
                    f"constraint name `{name}` has to be unique in the following namespace: on "
                    f"model `{model.name}` for primary key, indexes, unique constraints and "
                    "foreign keys. Please provide a different name using the `map` argument.")
            for _end in keyless]


def _opposites(symbols: SymbolTable, end: RelationEnd) -> list[RelationEnd]:
    target = symbols.models[end.target]
    wanted = explicit_name(end.field)
    return [
        RelationEnd(target.name, candidate)
        for candidate in symbols.relation_fields(target)
        if candidate.type is not None and candidate.type.name == end.model
        and explicit_name(candidate) == wanted
        and not (target.name == end.model and candidate.name == end.field.name)
    ]


def _pairing_problem(end: RelationEnd, found: list[RelationEnd]) -> Problem | None:
    span = end.field.span
    where = f"Error validating field `{end.field.name}` in model `{end.model}`: "
    if end.model == end.target and explicit_name(end.field) is None:
        return Problem(span, "FB208", where + "Ambiguous self relation detected. The fields "
                       "must be named with `@relation(\"Name\")` on both sides.")
    if not found:
        return Problem(span, "FB207", where + f"The relation field `{end.field.name}` on model "
                       f"`{end.model}` is missing an opposite relation field on the model "
                       f"`{end.target}`. Either run `prisma format` or add it manually.")
    if len(found) > 1:
        # Reported where Prisma reports it: on the first of the fields that share the relation.
        names = " and ".join(f"`{e.field.name}`" for e in found)
        return Problem(found[0].field.span, "FB208", f"Error validating model \"{end.target}\": "
                       f"Ambiguous relation detected. The fields {names} in model "
                       f"`{end.target}` both refer to `{end.model}`. Please provide different "
                       "relation names for them by adding `@relation(<name>)`.")
    return None
