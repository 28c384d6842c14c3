"""Full-text search per database (IR 1.4): the index that serves it and the SQL that reads it.

A dialect's ``fulltext`` is one of these methods, or None where the runtime has none
(`search=` is a 400 there, never an unranked or unindexed answer).

- PostgreSQL: a GIN index on ``to_tsvector(language, coalesce(a, '') || ' ' || coalesce(b, ''))``
  (an expression index: the table gets no column, so rows and migrations are unchanged), the
  query parsed by ``websearch_to_tsquery`` and ranked by ``ts_rank``. The page's condition
  spells the index's expression exactly, so the planner can use the index.
- SQLite: an FTS5 external-content table (``content=`` the entity's table, by ``rowid``) kept
  in sync by three triggers (after insert, delete, update), ranked by ``bm25``. The search
  text is rewritten from the web-search syntax into FTS5's (every word quoted), so no input is
  an FTS5 syntax error.

- MySQL and MariaDB: a ``FULLTEXT`` index on the searched columns (InnoDB keeps it in sync
  itself, at commit), ``MATCH (a, b) AGAINST (:search IN NATURAL LANGUAGE MODE)`` as the
  condition and, descending, as the rank (its relevance score). Natural language mode has no
  operators: a row matches when it holds any word of the search, more and rarer words rank
  higher (docs/query-language.md, "Search").

Every statement of ``create`` is idempotent (IF NOT EXISTS); ``ensure`` runs them, and fills
the index from the rows already there, when the database lacks any part of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

from fastbackend_ir import Search

WORD = re.compile(r"\w")
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class SearchSQL:
    """What a list page adds for ``search=``: its FROM, its condition and its ORDER BY term
    (best match first); the search text is the bound parameter ``search``."""

    source: sa.FromClause
    condition: sa.ColumnElement[bool]
    rank: Any


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(table: sa.Table) -> str:
    return f"{_quoted(table.schema)}.{_quoted(table.name)}" if table.schema else _quoted(table.name)


class FullText:
    """The interface; each database's method below."""

    def create(self, table: sa.Table, search: Search) -> list[str]:
        raise NotImplementedError

    def drop(self, table: sa.Table, search: Search) -> list[str]:
        raise NotImplementedError

    def present(self, connection: sa.Connection, table: sa.Table, search: Search) -> bool:
        raise NotImplementedError

    def sql(self, table: sa.Table, source: sa.FromClause, search: Search) -> SearchSQL:
        raise NotImplementedError

    def parameter(self, text: str) -> str:
        """The search text as the statement binds it."""
        return text

    def ensure(self, connection: sa.Connection, table: sa.Table, search: Search) -> bool:
        """Create what the database lacks of the index; True when it did."""
        if self.present(connection, table, search):
            return False
        for statement in self.create(table, search):
            connection.exec_driver_sql(statement)
        return True


class TsVector(FullText):
    """PostgreSQL: a GIN expression index, ``@@ websearch_to_tsquery``, ``ts_rank``."""

    def vector(self, table: sa.Table, search: Search) -> sa.ColumnElement[Any]:
        text: sa.ColumnElement[Any] | None = None
        for name in search.fields:
            part = sa.func.coalesce(table.c[name], sa.literal_column("''"))
            text = part if text is None else text.op("||")(sa.literal_column("' '")).op("||")(part)
        return sa.func.to_tsvector(self._language(search), text)

    @staticmethod
    def _language(search: Search) -> sa.ColumnElement[Any]:
        # the compiler admits only [a-z_] names: a literal, so the index's expression matches
        return sa.literal_column(f"'{search.language}'::regconfig")

    def create(self, table: sa.Table, search: Search) -> list[str]:
        expression = self.vector(table, search).compile(
            dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
            compile_kwargs={"include_table": False})
        return [f"CREATE INDEX IF NOT EXISTS {_quoted(search.index)} ON {_qualified(table)} "
                f"USING gin ({expression})"]

    def drop(self, table: sa.Table, search: Search) -> list[str]:
        schema = f"{_quoted(table.schema)}." if table.schema else ""
        return [f"DROP INDEX IF EXISTS {schema}{_quoted(search.index)}"]

    def present(self, connection: sa.Connection, table: sa.Table, search: Search) -> bool:
        found = connection.execute(sa.text(
            "SELECT 1 FROM pg_indexes WHERE indexname = :name "
            "AND schemaname = coalesce(:schema, current_schema())"),
            {"name": search.index, "schema": table.schema}).first()
        return found is not None

    def sql(self, table: sa.Table, source: sa.FromClause, search: Search) -> SearchSQL:
        query = sa.func.websearch_to_tsquery(self._language(search),
                                             sa.bindparam("search", type_=sa.String()))
        vector = self.vector(table, search)
        return SearchSQL(source, vector.op("@@")(query).self_group(),
                         sa.func.ts_rank(vector, query).desc())


class FTS5(FullText):
    """SQLite: an FTS5 external-content table and its triggers, ``MATCH``, ``bm25``."""

    TRIGGERS = ("ai", "ad", "au")

    def create(self, table: sa.Table, search: Search) -> list[str]:
        fts, base = _quoted(search.index), _quoted(table.name)
        columns = ", ".join(_quoted(name) for name in self._columns(table, search))
        new = ", ".join(f"new.{_quoted(c)}" for c in self._columns(table, search))
        old = ", ".join(f"old.{_quoted(c)}" for c in self._columns(table, search))
        content = table.name.replace("'", "''")
        delete = f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.rowid, {old});"
        insert = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.rowid, {new});"
        name = search.index
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({columns}, "
            f"content='{content}', content_rowid='rowid')",
            f"CREATE TRIGGER IF NOT EXISTS {_quoted(name + '_ai')} AFTER INSERT ON {base} "
            f"BEGIN {insert} END",
            f"CREATE TRIGGER IF NOT EXISTS {_quoted(name + '_ad')} AFTER DELETE ON {base} "
            f"BEGIN {delete} END",
            f"CREATE TRIGGER IF NOT EXISTS {_quoted(name + '_au')} AFTER UPDATE ON {base} "
            f"BEGIN {delete} {insert} END",
            # the rows already there (a table created before its search was configured)
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        ]

    @staticmethod
    def _columns(table: sa.Table, search: Search) -> list[str]:
        return [table.c[name].name for name in search.fields]

    def drop(self, table: sa.Table, search: Search) -> list[str]:
        return [*(f"DROP TRIGGER IF EXISTS {_quoted(search.index + '_' + t)}"
                  for t in self.TRIGGERS),
                f"DROP TABLE IF EXISTS {_quoted(search.index)}"]

    def present(self, connection: sa.Connection, table: sa.Table, search: Search) -> bool:
        names = [search.index, *(f"{search.index}_{t}" for t in self.TRIGGERS)]
        found = connection.execute(sa.text(
            "SELECT count(*) FROM sqlite_master WHERE name IN (:a, :b, :c, :d)"),
            dict(zip("abcd", names, strict=True))).scalar_one()
        return int(found) == len(names)

    def sql(self, table: sa.Table, source: sa.FromClause, search: Search) -> SearchSQL:
        fts = sa.table(search.index, sa.column("rowid"), sa.column(search.index))
        rowid: sa.ColumnElement[Any] = sa.literal_column(f"{_quoted(table.name)}.rowid")
        matched = fts.c[search.index].op("MATCH")(sa.bindparam("search", type_=sa.String()))
        return SearchSQL(source.join(fts, fts.c.rowid == rowid),
                         matched,
                         sa.func.bm25(sa.literal_column(_quoted(search.index))).asc())

    def parameter(self, text: str) -> str:
        return fts5_query(text)


def _backquoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class MatchAgainst(FullText):
    """MySQL, MariaDB: a FULLTEXT index, ``MATCH ... AGAINST`` in natural language mode."""

    @staticmethod
    def _match(table: sa.Table, search: Search) -> sa.ColumnElement[Any]:
        # the index's columns, in its order: MATCH must name exactly those of one index
        against = sa.bindparam("search", type_=sa.String())
        found: sa.ColumnElement[Any] = mysql.match(
            *(table.c[name] for name in search.fields), against=against,
        ).in_natural_language_mode()
        return found

    def create(self, table: sa.Table, search: Search) -> list[str]:
        columns = ", ".join(_backquoted(table.c[name].name) for name in search.fields)
        return [f"CREATE FULLTEXT INDEX {_backquoted(search.index)} ON "
                f"{_backquoted(table.name)} ({columns})"]

    def drop(self, table: sa.Table, search: Search) -> list[str]:
        return [f"DROP INDEX {_backquoted(search.index)} ON {_backquoted(table.name)}"]

    def present(self, connection: sa.Connection, table: sa.Table, search: Search) -> bool:
        found = connection.execute(sa.text(
            "SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() "
            "AND table_name = :table AND index_name = :name AND index_type = 'FULLTEXT'"),
            {"table": table.name, "name": search.index}).first()
        return found is not None

    def sql(self, table: sa.Table, source: sa.FromClause, search: Search) -> SearchSQL:
        match = self._match(table, search)
        return SearchSQL(source, (match > 0).self_group(), match.desc())


def fts5_query(text: str) -> str:
    """The web-search syntax (PostgreSQL's ``websearch_to_tsquery``) in FTS5's: words and
    ``"quoted phrases"`` must all match, ``or`` between two of them lets either, a leading
    ``-`` excludes one. Each word or phrase is quoted, so its punctuation is never FTS5
    syntax. A search with no word to find matches nothing (FTS5 cannot only exclude)."""
    terms: list[str] = []
    excluded: list[str] = []
    pending_or = False
    for match in TOKEN.finditer(text):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word.lower() == "or" and terms:
            pending_or = True
            continue
        if word is not None and word.startswith("-"):
            negated, word = "-", word[1:]
        spelled = phrase if phrase is not None else word
        if spelled is None or not WORD.search(spelled):
            continue
        quoted = '"' + spelled.replace('"', '""') + '"'
        if negated:
            excluded.append(quoted)
        elif pending_or:
            terms[-1] = f"({terms[-1]} OR {quoted})"
        else:
            terms.append(quoted)
        pending_or = False
    if not terms:
        return '""'  # an empty phrase: no row matches
    found = " ".join(terms)
    return f"({found}) NOT ({' OR '.join(excluded)})" if excluded else found
