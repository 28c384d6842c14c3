"""Constraint names: every primary key, unique constraint, index, check and foreign key of every
entity and join table gets the name the source's own tool would give it in the database.

The name is decided once, here, and recorded in the IR (1.1); the runtime creates its tables with
these names and maps the database's errors back to fields by them, and the Express emitter writes
them into schema.prisma (`map:`). A name the source gives (`map:`, `name=`, a naming convention)
is kept; the front-ends shorten convention names and refuse explicit ones too long, where they
know the source's position. What is left unnamed gets the source's default:

- Prisma: psl's ConstraintNames, `{table}_pkey`, `{table}_{columns}_key`, `_idx`, `_fkey`, cut
  to the provider's identifier length minus the suffix (at a character boundary); implicit
  many-to-many tables `_AB_pkey`, `_AB_unique`, `_B_index`, `_A_fkey`.
- SQLAlchemy: SQLAlchemy leaves keys, uniques and checks unnamed, so the database names them;
  the names are PostgreSQL's (makeObjectName: the longer of table and columns is shortened until
  `{table}_{columns}_{label}` fits 63 bytes; a name taken already gets `key1`, `key2`, ...),
  which SQLite, naming nothing, takes as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from fastbackend_ir import IR, Check, Entity, ForeignKey, Index, JoinTable, PrimaryKey, Unique
from fastbackend_ir.names import unique_index

POSTGRES_MAX = 63  # NAMEDATALEN - 1, in bytes
# psl connectors' max_identifier_length, by datasource provider (SQLite sets no limit of note)
PRISMA_LIMITS = {"postgresql": 63, "cockroachdb": 63, "mysql": 64, "sqlserver": 128,
                 "sqlite": 10_000}


def clip(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` UTF-8 bytes, at a character boundary."""
    data = text.encode()
    if len(data) <= size:
        return text
    return data[:size].decode("utf-8", errors="ignore")


# --- Prisma -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrismaNames:
    """psl-core's ConstraintNames for one datasource provider."""

    provider: str | None

    @property
    def limit(self) -> int:
        return PRISMA_LIMITS.get(self.provider or "", POSTGRES_MAX)

    def _joined(self, table: str, columns: list[str], suffix: str) -> str:
        base = "_".join([table, *columns]) if columns else table
        return clip(base, self.limit - len(suffix)) + suffix

    def primary_key(self, table: str) -> str:
        return self._joined(table, [], "_pkey")

    def unique(self, table: str, columns: list[str]) -> str:
        return self._joined(table, columns, "_key")

    def index(self, table: str, columns: list[str]) -> str:
        return self._joined(table, columns, "_idx")

    def foreign_key(self, table: str, columns: list[str]) -> str:
        return self._joined(table, columns, "_fkey")

    def check(self, table: str, columns: list[str], expression: str) -> str:
        return self._joined(table, [], "_check")  # Prisma has no checks; never reached

    # An implicit many-to-many table keeps its column names whole: the table is cut instead.
    def join_primary_key(self, table: str, columns: list[str]) -> str:
        return self._joined(table, [], f"_{''.join(columns)}_pkey")

    def join_unique(self, table: str, columns: list[str]) -> str:
        return self._joined(table, [], f"_{''.join(columns)}_unique")

    def join_index(self, table: str, columns: list[str]) -> str:
        return self._joined(table, [], f"_{'_'.join(columns)}_index")

    def join_foreign_key(self, table: str, column: str) -> str:
        return self._joined(table, [], f"_{column}_fkey")


# --- SQLAlchemy: what PostgreSQL names what SQLAlchemy leaves unnamed ---------------------------

def make_object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's makeObjectName: `name1_name2_label` within 63 bytes, the longer of the two
    names shortened first, byte by byte, then cut back to a character boundary."""
    first, second = name1.encode(), (name2 or "").encode()
    available = POSTGRES_MAX - (len(label) + 1) - (1 if name2 is not None else 0)
    size1, size2 = len(first), len(second)
    while size1 + size2 > available:
        if size1 > size2:
            size1 -= 1
        else:
            size2 -= 1
    parts = [first[:size1].decode("utf-8", errors="ignore")]
    if name2 is not None:
        parts.append(second[:size2].decode("utf-8", errors="ignore"))
    return "_".join([*parts, label])


_IDENTIFIER = re.compile(r'"((?:[^"]|"")+)"|\b([A-Za-z_][A-Za-z0-9_$]*)\b')


def check_column(columns: list[str], expression: str) -> str | None:
    """The one column a check's expression reads, else None (PostgreSQL names a check on one
    column `tab_col_check`, any other `tab_check`)."""
    by_name = {column.lower(): column for column in columns}
    found = set()
    for quoted, bare in _IDENTIFIER.findall(re.sub(r"'(?:[^']|'')*'", "''", expression)):
        if quoted and quoted.replace('""', '"') in columns:
            found.add(quoted.replace('""', '"'))
        elif bare and bare.lower() in by_name:
            found.add(by_name[bare.lower()])
    return found.pop() if len(found) == 1 else None


@dataclass
class PostgresDefaultNames:
    """The names PostgreSQL gives the constraints SQLAlchemy's DDL leaves unnamed."""

    taken: set[str] = field(default_factory=set)

    def _choose(self, table: str, addition: str | None, label: str) -> str:
        """ChooseRelationName/ChooseConstraintName: a taken name gets `label1`, `label2`, ..."""
        name, number = make_object_name(table, addition, label), 0
        while name in self.taken:
            number += 1
            name = make_object_name(table, addition, f"{label}{number}")
        self.taken.add(name)
        return name

    def primary_key(self, table: str) -> str:
        return self._choose(table, None, "pkey")

    def unique(self, table: str, columns: list[str]) -> str:
        return self._choose(table, "_".join(columns), "key")

    def index(self, table: str, columns: list[str]) -> str:
        return self._choose(table, "_".join(columns), "idx")

    def foreign_key(self, table: str, columns: list[str]) -> str:
        return self._choose(table, "_".join(columns), "fkey")

    def check(self, table: str, columns: list[str], expression: str) -> str:
        return self._choose(table, check_column(columns, expression), "check")

    def join_primary_key(self, table: str, columns: list[str]) -> str:
        return self.primary_key(table)

    def join_unique(self, table: str, columns: list[str]) -> str:
        return self.unique(table, columns)

    def join_index(self, table: str, columns: list[str]) -> str:
        return self.index(table, columns)

    def join_foreign_key(self, table: str, column: str) -> str:
        return self.foreign_key(table, [column])


Rule = PrismaNames | PostgresDefaultNames


# --- the pass ---------------------------------------------------------------------------------

def assign_names(ir: IR, rule: Rule) -> IR:
    """``ir`` with a name on every constraint and index; names already there are kept."""
    if isinstance(rule, PostgresDefaultNames):
        rule.taken |= _given_names(ir)
    entities = {key: _entity(entity, rule) for key, entity in ir.entities.items()}
    join_tables = {key: _join_table(table, rule) for key, table in ir.join_tables.items()}
    return replace(ir, entities=entities, join_tables=join_tables)


def _given_names(ir: IR) -> set[str]:
    found: set[str] = set()
    for entity in ir.entities.values():
        found |= {f.unique_name for f in entity.fields if f.unique_name}
        nodes: list[PrimaryKey | Unique | Index | Check | ForeignKey] = [
            *entity.uniques, *entity.indexes, *entity.checks, *entity.foreign_keys]
        if entity.primary_key is not None:
            nodes.append(entity.primary_key)
        found |= {node.name for node in nodes if node.name}
    return found


def _entity(entity: Entity, rule: Rule) -> Entity:
    table = entity.table
    columns = {f.name: f.column for f in entity.fields}

    def cols(fields: tuple[str, ...]) -> list[str]:
        return [columns.get(name, name) for name in fields]

    # `name or rule...`: the rule is asked only for what the source left unnamed (PostgreSQL's
    # numbering depends on the names taken before).
    # An entity whose source declares no key (a Prisma model with only @@unique) keeps none.
    marked = tuple(f.name for f in entity.fields if f.primary_key)
    key = entity.primary_key or (PrimaryKey(marked) if marked else None)
    key = replace(key, name=key.name or rule.primary_key(table)) if key is not None else None
    fields = tuple(replace(f, unique_name=f.unique_name or rule.unique(table, [f.column]))
                   if f.unique else f for f in entity.fields)
    uniques = tuple(replace(u, name=u.name or rule.unique(table, cols(u.fields)))
                    for u in entity.uniques)
    indexes = tuple(replace(i, name=i.name or _index_name(rule, table, columns, i))
                    for i in entity.indexes)
    checks = tuple(replace(c, name=c.name or rule.check(table, list(columns.values()),
                                                          c.expression)) for c in entity.checks)
    keys = tuple(replace(k, name=k.name or rule.foreign_key(table, cols(k.fields)))
                 for k in entity.foreign_keys)
    return replace(entity, primary_key=key, fields=fields, uniques=uniques, indexes=indexes,
                   checks=checks, foreign_keys=keys)


def _index_name(rule: Rule, table: str, columns: dict[str, str], index: Index) -> str:
    names = ["expr" if i.expression else columns.get(i.field, i.field) for i in index.fields]
    # Prisma names every unique index `_key`; PostgreSQL names a unique index it creates for a
    # constraint `_key`, any other index (a partial or expression one) `_idx`.
    unique = index.unique if isinstance(rule, PrismaNames) else unique_index(index)
    return rule.unique(table, names) if unique else rule.index(table, names)


def _join_table(join: JoinTable, rule: Rule) -> JoinTable:
    table = join.table
    return replace(
        join,
        primary_key_name=join.primary_key_name or (
            rule.join_primary_key(table, list(join.primary_key or [c.name for c in join.columns]))),
        columns=tuple(replace(c, foreign_key_name=c.foreign_key_name or rule.join_foreign_key(
            table, c.name)) for c in join.columns),
        unique_names=join.unique_names or tuple(rule.join_unique(table, list(u))
                                                for u in join.uniques),
        index_names=join.index_names or tuple(rule.join_index(table, list(i))
                                              for i in join.indexes),
    )
