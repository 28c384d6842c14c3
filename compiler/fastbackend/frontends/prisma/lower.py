"""Lower a validated Prisma AST to the IR, with a source-map entry for every element.

`@@ignore` models and `@ignore` fields are left out, as Prisma Client leaves them out. Composite
types (MongoDB) have no IR node: a field of a composite type is lowered as `json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.lower_constraints import (
    located_indexes,
    located_primary_key,
    located_uniques,
)
from fastbackend.frontends.prisma.lower_fields import lower_field
from fastbackend.frontends.prisma.lower_relations import (
    join_table_name,
    lower_foreign_key,
    lower_join_table,
    lower_relation,
    relation_kind,
)
from fastbackend.frontends.prisma.relations import RelationPair
from fastbackend.frontends.prisma.symbols import (
    SymbolTable,
    is_ignored,
    positional_or,
)
from fastbackend.passes.api import placeholder_api
from fastbackend_ir import (
    IR,
    IR_VERSION,
    Database,
    Entity,
    Enum,
    EnumValue,
    ForeignKey,
    JoinTable,
    Location,
    Relation,
    Source,
    SourceMap,
)


@dataclass
class Lowering:
    symbols: SymbolTable
    pairs: dict[tuple[str, str], RelationPair]
    files: dict[str, str]  # ast span file -> path relative to the source root
    source_map: SourceMap = field(default_factory=dict)
    join_tables: dict[str, JoinTable] = field(default_factory=dict)

    def locate(self, pointer: str, span: ast.Span) -> None:
        self.source_map[pointer] = Location(self.files.get(span.file, span.file), span.line,
                                            span.column)

    def source(self, span: ast.Span) -> str:
        return self.files.get(span.file, span.file)


def lower_schema(lowering: Lowering) -> IR:
    symbols = lowering.symbols
    entities = {
        block.name: _entity(lowering, block)
        for block in symbols.models.values() if not is_ignored(block)
    }
    enums = {block.name: _enum(lowering, block) for block in symbols.enums.values()}
    return IR(
        ir_version=IR_VERSION,
        source=Source("prisma", tuple(sorted(set(lowering.files.values())))),
        entities=entities,
        enums=enums,
        join_tables=dict(sorted(lowering.join_tables.items())),
        database=_database(symbols),
    )


def _database(symbols: SymbolTable) -> Database | None:
    if symbols.datasource is None:
        return None
    entry = symbols.config(symbols.datasource, "schemas")
    items = entry.value.items if entry and isinstance(entry.value, ast.ArrayValue) else ()
    schemas = tuple(item.value for item in items if isinstance(item, ast.StringValue))
    return Database(provider=symbols.provider, schemas=schemas)


def _visible_fields(lowering: Lowering, block: ast.Block) -> list[ast.FieldDecl]:
    return [f for f in block.fields if f.attribute("ignore") is None and f.type is not None
            and not _ignored_target(lowering, f) and not _keyed_by_ignored(lowering, block, f)]


def _ignored_names(block: ast.Block) -> set[str]:
    return {f.name for f in block.fields if f.attribute("ignore") is not None}


def _keyed_by_ignored(lowering: Lowering, block: ast.Block, decl: ast.FieldDecl) -> bool:
    """A relation whose `fields:` hold an `@ignore`d field, on either side. Prisma Client keeps
    it, but the IR has no such field for its foreign key to name (the fuzzer's `orgId Int
    @ignore` gave FB006): it is left out on both sides, as the ignored field is."""
    pair = lowering.pairs.get((block.name, decl.name))
    if pair is None:
        return False
    for end in (pair.end, pair.opposite):
        model = lowering.symbols.models.get(end.model)
        if model is not None and set(end.fields) & _ignored_names(model):
            return True
    return False


def _ignored_target(lowering: Lowering, decl: ast.FieldDecl) -> bool:
    target = lowering.symbols.models.get(decl.type.name) if decl.type else None
    return target is not None and is_ignored(target)


def _entity(lowering: Lowering, block: ast.Block) -> Entity:
    pointer = f"/entities/{block.name}"
    lowering.locate(pointer, block.span)
    decls = _visible_fields(lowering, block)
    primary = located_primary_key(block)
    primary_fields = set(primary[0].fields) if primary else set()
    scalars = [d for d in decls if lowering.symbols.kind_of(d) != "relation"]
    fields = []
    for index, decl in enumerate(scalars):
        lowering.locate(f"{pointer}/fields/{index}", decl.span)
        fields.append(lower_field(decl, lowering.symbols, primary_fields))
    relations, foreign_keys = _relations(lowering, block, decls, pointer)
    ignored = _ignored_names(block)  # an index of an ignored field is left out with it
    uniques = [(u, span) for u, span in located_uniques(block) if not set(u.fields) & ignored]
    indexes = [(i, span) for i, span in located_indexes(block)
               if not {f.field for f in i.fields} & ignored]
    for kind, located in (("uniques", uniques), ("indexes", indexes)):
        for index, (_node, span) in enumerate(located):
            lowering.locate(f"{pointer}/{kind}/{index}", span)
    if primary is not None:
        lowering.locate(f"{pointer}/primaryKey", primary[1])
    return Entity(
        name=block.name,
        table=_first_string(block, "map") or block.name,
        fields=tuple(fields),
        api=placeholder_api(),
        schema=_first_string(block, "schema"),
        kind="view" if block.kind == "view" else "table",
        description=block.documentation,
        source=lowering.source(block.span),
        primary_key=primary[0] if primary else None,
        uniques=tuple(unique for unique, _span in uniques),
        indexes=tuple(index for index, _span in indexes),
        foreign_keys=tuple(foreign_keys),
        relations=tuple(relations),
    )


def _relations(
    lowering: Lowering, block: ast.Block, decls: list[ast.FieldDecl], pointer: str
) -> tuple[list[Relation], list[ForeignKey]]:
    relations: list[Relation] = []
    foreign_keys: list[ForeignKey] = []
    for decl in decls:
        pair = lowering.pairs.get((block.name, decl.name))
        if pair is None:
            continue
        join = None
        if relation_kind(pair) == "manyToMany":
            join = join_table_name(pair, lowering.symbols.provider)
            if join not in lowering.join_tables:
                lowering.join_tables[join] = lower_join_table(
                    pair, lowering.symbols, _first_string(block, "schema"),
                    lowering.source(block.span))
                lowering.locate(f"/joinTables/{join}", decl.span)
        lowering.locate(f"{pointer}/relations/{len(relations)}", decl.span)
        relations.append(lower_relation(pair, join))
        if pair.end.fields:
            lowering.locate(f"{pointer}/foreignKeys/{len(foreign_keys)}", decl.span)
            foreign_keys.append(lower_foreign_key(pair, lowering.symbols))
    return relations, foreign_keys


def _first_string(block: ast.Block, attribute: str) -> str | None:
    value = positional_or(block.attribute(attribute), "name")
    return value.value if isinstance(value, ast.StringValue) else None


def _enum(lowering: Lowering, block: ast.Block) -> Enum:
    pointer = f"/enums/{block.name}"
    lowering.locate(pointer, block.span)
    values = []
    for index, value in enumerate(block.values):
        lowering.locate(f"{pointer}/values/{index}", value.span)
        mapped = next((a for a in value.attributes if a.name == "map"), None)
        db_value = positional_or(mapped, "name")
        values.append(EnumValue(value.name, db_value.value if isinstance(
            db_value, ast.StringValue) else None, value.documentation))
    return Enum(
        name=block.name, values=tuple(values), db_name=_first_string(block, "map"),
        schema=_first_string(block, "schema"), description=block.documentation,
        source=lowering.source(block.span),
    )
