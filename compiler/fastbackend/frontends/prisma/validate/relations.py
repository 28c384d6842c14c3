"""Relation rules: fields/references, arity, one-to-one keys, many-to-many ids, actions."""

from __future__ import annotations

from collections.abc import Iterator

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.lower_relations import relation_kind
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.relations import RelationEnd, RelationPair
from fastbackend.frontends.prisma.symbols import SymbolTable, name_list, positional_or
from fastbackend.frontends.prisma.types import ACTIONS


def check(symbols: SymbolTable, pairs: dict[tuple[str, str], RelationPair]) -> list[Problem]:
    problems: list[Problem] = []
    for pair in pairs.values():
        problems += list(_pair(pair, symbols))
    return problems


def _where(end: RelationEnd) -> str:
    return f"Error validating field `{end.field.name}` in model `{end.model}`: "


def _pair(pair: RelationPair, symbols: SymbolTable) -> Iterator[Problem]:
    end, other = pair.end, pair.opposite
    kind = relation_kind(pair)
    yield from _actions(end, symbols)
    if kind == "manyToMany":
        yield from _many_to_many(end, symbols)
        return
    if not end.fields and end.attribute and (end.attribute.named("onDelete")
                                             or end.attribute.named("onUpdate")):
        yield Problem(end.field.span, "FB209", "Error parsing attribute \"@relation\": The "
                      f"relation field `{end.field.name}` on Model `{end.model}` must not specify "
                      "the `onDelete` or `onUpdate` argument in the @relation attribute. You must "
                      f"only specify it on the opposite field `{other.field.name}` on model "
                      f"`{other.model}`.")
    if end.is_list and end.fields:
        yield Problem(end.field.span, "FB209", _where(end) + "The relation field "
                      f"`{end.field.name}` on Model `{end.model}` must not specify the `fields` "
                      "or `references` argument in the @relation attribute. You must only "
                      "specify it on the opposite field.")
        return
    if end.is_list or other.is_list:
        if not end.is_list and not end.fields:
            yield _missing_fields(end)
        if not end.is_list:
            yield from _foreign_key(end, symbols, one_to_one=False)
        return
    yield from _one_to_one(end, other, symbols)


def _missing_fields(end: RelationEnd) -> Problem:
    return Problem(end.field.span, "FB209", _where(end) + "The relation field "
                   f"`{end.field.name}` on Model `{end.model}` must specify the `fields` argument "
                   "in the @relation attribute. You can run `prisma format` to fix this "
                   "automatically.")


def _one_to_one(end: RelationEnd, other: RelationEnd, symbols: SymbolTable) -> Iterator[Problem]:
    # Problems that concern both ends are reported on each end, as Prisma does.
    if not end.fields and not other.fields:
        yield Problem(end.field.span, "FB209", _where(end) + "The relation fields "
                      f"`{end.field.name}` on Model `{end.model}` and `{other.field.name}` "
                      f"on Model `{other.model}` do not provide the `fields` argument in the "
                      "@relation attribute. You have to provide it on one of the two fields.")
        return
    if end.fields and other.fields:
        yield Problem(end.field.span, "FB209", _where(end) + "The relation fields "
                      f"`{end.field.name}` on Model `{end.model}` and `{other.field.name}` on "
                      f"Model `{other.model}` both provide the `references` argument in the "
                      "@relation attribute. You have to provide it only on one of the two fields.")
        return
    if not end.fields:
        if not end.is_optional and not other.is_optional:
            yield Problem(end.field.span, "FB209", _where(end) + "The relation field "
                          f"`{end.field.name}` on Model `{end.model}` is required. This is not "
                          "valid because it's not possible to enforce this constraint on the "
                          "database level. Please change the field type from "
                          f"`{end.target}` to `{end.target}?` to fix this.")
        return
    yield from _foreign_key(end, symbols, one_to_one=True)


def _foreign_key(end: RelationEnd, symbols: SymbolTable, one_to_one: bool) -> Iterator[Problem]:
    if not end.fields:
        return
    model = symbols.models[end.model]
    target = symbols.models[end.target]
    missing = [n for n in end.fields if model.field(n) is None]
    if missing:
        yield Problem(end.field.span, "FB209", _where(end) + "The argument fields must refer "
                      f"only to existing fields. The following fields do not exist in this "
                      f"model: {', '.join(missing)}")
        return
    unknown = [n for n in end.references if target.field(n) is None]
    if unknown or not end.references:
        yield Problem(end.field.span, "FB209", _where(end) + "The argument `references` must "
                      "refer only to existing fields in the related model "
                      f"`{end.target}`. The following fields do not exist in the related model: "
                      f"{', '.join(unknown)}")
        return
    if len(end.fields) != len(end.references):
        yield Problem(end.field.span, "FB209", _where(end) + "You must specify the same number "
                      "of fields in `fields` and `references`.")
        return
    yield from _types_match(end, model, target)
    if not _is_unique(target, end.references):
        yield Problem(end.field.span, "FB209", _where(end) + "The argument `references` must "
                      "refer to a unique criterion in the related model. Consider adding an "
                      f"`@unique` attribute to the field `{', '.join(end.references)}` in the "
                      f"model `{end.target}`.")
    optional = any((d := model.field(n)) and d.type and d.type.modifier == "optional"
                   for n in end.fields)
    if optional and not end.is_optional:
        yield Problem(end.field.span, "FB209", _where(end) + "The relation field "
                      f"`{end.field.name}` uses the scalar fields {', '.join(end.fields)}. At "
                      "least one of those fields is optional. Hence the relation field must be "
                      "optional as well.")
    if one_to_one and not _is_unique(model, end.fields):
        yield Problem(end.field.span, "FB209", _where(end) + "A one-to-one relation must use "
                      "unique fields on the defining side. Either add an `@unique` attribute to "
                      f"the field `{', '.join(end.fields)}`, or change the relation to "
                      "one-to-many.")


def _types_match(end: RelationEnd, model: ast.Block, target: ast.Block) -> Iterator[Problem]:
    for own, ref in zip(end.fields, end.references, strict=True):
        a, b = model.field(own), target.field(ref)
        if a and b and a.type and b.type and a.type.name != b.type.name:
            yield Problem(end.field.span, "FB209", _where(end) + f"The type of the field `{own}`"
                          f" in the model `{end.model}` is not matching the type of the "
                          f"referenced field `{ref}` in model `{end.target}`.")


def _is_unique(block: ast.Block, names: tuple[str, ...]) -> bool:
    wanted = set(names)
    for decl in block.fields:
        if (decl.attribute("id") or decl.attribute("unique")) and wanted == {decl.name}:
            return True
    return any(
        attribute.name in ("id", "unique")
        and set(name_list(positional_or(attribute, "fields"))) == wanted
        for attribute in block.attributes
    )


def _many_to_many(end: RelationEnd, symbols: SymbolTable) -> Iterator[Problem]:
    if end.fields or end.references:
        if symbols.provider == "mongodb":
            yield from _missing_fields_or_references(end, symbols)
            return
        yield Problem(end.field.span, "FB209", _where(end) + "Implicit many-to-many relations "
                      "must not specify the `fields` or `references` argument.")
    target = symbols.models[end.target]
    single_ids = [d for d in target.fields if d.attribute("id")]
    if len(single_ids) != 1:
        yield Problem(end.field.span, "FB209", _where(end) + f"The relation field "
                      f"`{end.field.name}` on Model `{end.model}` references `{end.target}` "
                      "which does not have an `@id` field. Models without `@id` cannot be part "
                      "of a many to many relation. Use an explicit intermediate Model to "
                      "represent this relationship.")


def _missing_fields_or_references(end: RelationEnd, symbols: SymbolTable) -> Iterator[Problem]:
    """MongoDB many-to-many: `fields` are this model's id array, `references` the target's id."""
    missing = [n for n in end.fields if symbols.models[end.model].field(n) is None]
    if missing:
        yield Problem(end.field.span, "FB209", "Error validating: The argument fields must refer "
                      "only to existing fields. The following fields do not exist in this model: "
                      + ", ".join(missing))
    unknown = [n for n in end.references if symbols.models[end.target].field(n) is None]
    if unknown:
        yield Problem(end.field.span, "FB209", "Error validating: The argument `references` "
                      "must refer only to existing fields in the related model. The following "
                      "fields do not exist in the related model: " + ", ".join(unknown))
    if missing or unknown:
        return
    for own, ref in zip(end.fields, end.references, strict=False):
        mine = symbols.models[end.model].field(own)
        theirs = symbols.models[end.target].field(ref)
        if mine and theirs and not _same_array_type(mine, theirs):
            yield Problem(end.attribute.span if end.attribute else end.field.span, "FB209",
                          "Error parsing attribute \"@relation\": The scalar field defined in "
                          "`fields` argument must be an array of the same type defined in "
                          "`references`")


def _same_array_type(array: ast.FieldDecl, key: ast.FieldDecl) -> bool:
    """MongoDB: `tagIds String[] @db.ObjectId` holds `id String @db.ObjectId` values."""
    if array.type is None or key.type is None or array.type.modifier != "list":
        return False
    natives = ({a.name for a in d.attributes if "." in a.name} for d in (array, key))
    return array.type.name == key.type.name and next(natives) == next(natives)


def _actions(end: RelationEnd, symbols: SymbolTable) -> Iterator[Problem]:
    attribute = end.attribute
    if attribute is None:
        return
    for key in ("onDelete", "onUpdate"):
        argument = attribute.named(key)
        value = argument.value if argument else None
        if value is not None and not (isinstance(value, ast.PathValue) and value.text in ACTIONS):
            yield Problem(value.span, "FB209", "Error parsing attribute \"@relation\": Invalid "
                          f"referential action: `{_text(value)}`")
        elif value is not None and _text(value) not in allowed_actions(symbols):
            yield Problem(value.span, "FB209", f"Error validating: Invalid referential action: "
                          f"`{_text(value)}`. Allowed values: ("
                          + ", ".join(f"`{a}`" for a in allowed_actions(symbols)) + ").")
        elif value is not None and _text(value) == "SetNull" and _set_null_refused(end, symbols):
            yield Problem(value.span, "FB209", "Error parsing attribute \"@relation\": The "
                          f"`{key}` referential action of a relation must not be set to `SetNull` "
                          "when a referenced field is required.")


def _set_null_refused(end: RelationEnd, symbols: SymbolTable) -> bool:
    """SetNull on a required foreign key: only PostgreSQL's own foreign keys accept it."""
    if symbols.provider == "postgresql" and symbols.relation_mode == "foreignKeys":
        return False
    model = symbols.models[end.model]
    return any((decl := model.field(name)) is not None and decl.type is not None
               and decl.type.modifier != "optional" for name in end.fields)


def allowed_actions(symbols: SymbolTable) -> tuple[str, ...]:
    """Prisma's emulated actions (relationMode prisma) and each database's own limits."""
    if symbols.relation_mode == "prisma":
        if symbols.provider in ("postgresql", "sqlite"):
            return ("Cascade", "Restrict", "SetNull")
        return ("Cascade", "Restrict", "NoAction", "SetNull")
    if symbols.provider == "sqlserver":
        return ("Cascade", "NoAction", "SetNull", "SetDefault")
    return tuple(ACTIONS)


def _text(value: ast.Expression) -> str:
    return value.text if isinstance(value, ast.PathValue | ast.NumberValue) else "expression"
