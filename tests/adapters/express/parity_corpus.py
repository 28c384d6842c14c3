"""The differential parity suite's corpus: requests sent to both servers, as data.

What every IR's corpus shares: the ``Case`` (one request), and the cases generated from an IR
(``field_cases``: every field of every entity with every operator of the query language,
applicable or not, since a 400 must be the same 400; every field with Prisma's `where=`
spellings and the NULL forms; every sort key both ways; ``type_write_cases``: a write of every
writable field with values at the edges of its type, and a bad one). The values come from a
``Values`` per IR; each IR's own written-out cases and seed rows are in parity_<ir>.py
(parity_blog.py, parity_kitchen.py).

A key the servers generate (a uuid) differs between them: a case names it by a symbol,
``<<name>>``, which ``Case.resolve`` replaces with each server's own value (recorded when the
seed row was created), and the answers are compared with the values turned back into symbols.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from fastbackend_ir import IR, Entity, Field

NO_BODY = object()
# Both servers of a parity run take limits.max_bulk_rows from here (test_parity.py), so a case
# can pass it with a few rows (parity_blog.limit_cases).
MAX_BULK_ROWS = 20
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "notin", "contains", "icontains",
             "startswith", "endswith", "isnull")
# Prisma's spellings (and the query language's names) inside where=, with a value maker.
WHERE_SPELLINGS = ("equals", "not", "in", "notIn", "lt", "lte", "gt", "gte", "contains",
                   "startsWith", "endsWith", "icontains", "isnull")


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    body: object = NO_BODY
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None  # a raw body (with its own Content-Type in ``headers``)
    raw_query: str | None = None  # sent as written (percent escapes kept)
    cursor_from: str | None = None
    # an earlier case whose ETag (each server's own) is appended to every value of ``headers``
    etag_from: str | None = None
    raw: bytes | None = None  # a whole HTTP request written to a socket (its status compared)
    # fields of the answer each server generates anew (a created row's uuid, cuid, ...):
    # compared for presence only (parity_compare.ALLOWED["generated"])
    generated: tuple[str, ...] = ()
    # the fields of a row answer compared (all when empty): a write of one field shows how
    # that field was stored, and a difference in another stays that field's case's
    compared: tuple[str, ...] = ()

    def target(self, cursor: str | None = None) -> str:
        pairs = [*self.query, *([("cursor", cursor)] if cursor is not None else [])]
        text = "&".join(f"{quote(k, safe='.')}={quote(v, safe=',.')}" for k, v in pairs)
        if self.raw_query is not None:
            text = self.raw_query
        return self.path + (f"?{text}" if text else "")

    def resolve(self, keys: Mapping[str, str]) -> Case:
        """This case with each ``<<symbol>>`` replaced by the server's own value."""
        if not keys:
            return self

        def text(value: str) -> str:
            for symbol, actual in keys.items():
                value = value.replace(f"<<{symbol}>>", actual)
            return value

        body = self.body if self.body is NO_BODY else json.loads(text(json.dumps(self.body)))
        return replace(self, path=text(self.path), body=body,
                       query=tuple((name, text(value)) for name, value in self.query))


@dataclass(frozen=True)
class Seed:
    """A row created (or a link made) through the API on both servers before the corpus runs;
    ``symbol`` names the created row's key for the cases (``<<symbol>>``)."""

    path: str
    body: object = NO_BODY
    method: str = "POST"
    symbol: str | None = None


@dataclass(frozen=True)
class Values:
    """The values of an IR's generated cases: two per field (one that matches some seed rows,
    and another) by ``Entity.field``, else by type; a value each type refuses (None: none);
    values at the edges of each type for writes; the types the generated cases leave out."""

    pool: Mapping[str, tuple[str, str]]
    by_type: Mapping[str, tuple[str, str]]
    bad: Mapping[str, str | None]
    edges: Mapping[str, tuple[object, ...]] = field(default_factory=dict)
    bad_writes: Mapping[str, tuple[object, ...]] = field(default_factory=dict)
    skip_types: frozenset[str] = frozenset()

    def of(self, entity: Entity, item: Field) -> tuple[str, str]:
        return self.pool.get(f"{entity.name}.{item.name}") or self.by_type[item.type]


def _operator_value(operator: str, pool: tuple[str, str]) -> str:
    first, second = pool
    if operator in ("in", "notin"):
        return f"{first},{second}"
    if operator == "contains":
        return first[1:3]
    if operator == "icontains":
        return first[1:3].upper()
    if operator == "startswith":
        return first[:2]
    if operator == "endswith":
        return first[-2:]
    if operator == "isnull":
        return "true"
    return first


def typed(item: Field, text: str) -> object:
    """A pool's text as the JSON value of the field's type (in where= and bodies)."""
    if item.type in ("integer", "bigint"):
        return int(text)
    if item.type == "float":
        return float(text)
    if item.type == "boolean":
        return text == "true"
    return text


def _where_value(spelling: str, item: Field, pool: tuple[str, str]) -> object:
    first, second = (typed(item, value) for value in pool)
    if spelling in ("in", "notIn"):
        return [first, second]
    if spelling in ("contains", "startsWith", "endsWith", "icontains"):
        text = str(first)
        return {"contains": text[1:3], "startsWith": text[:2], "endsWith": text[-2:],
                "icontains": text[1:3].upper()}[spelling]
    if spelling == "isnull":
        return True
    return first


def get(name: str, path: str, *query: tuple[str, str], **extra: object) -> Case:
    return Case(name, "GET", path, tuple(query), **extra)  # type: ignore[arg-type]


def where(name: str, path: str, where: object, *query: tuple[str, str]) -> Case:
    return get(name, path, ("where", json.dumps(where, ensure_ascii=False)), *query)


def json_case(name: str, method: str, path: str, body: object,
              *headers: tuple[str, str]) -> Case:
    return Case(name, method, path, body=body, headers=headers)


def field_cases(ir: IR, values: Values) -> Iterator[Case]:
    """Every field x every operator, every field x every where= spelling, every sort key."""
    for entity in ir.entities.values():
        path = entity.api.path
        for item in entity.fields:
            if item.type not in values.skip_types:
                yield from _one_field(path, item, values.of(entity, item), values)
        yield get(f"{path}", path)
        yield get(f"{path}?nope=1", path, ("nope", "1"))
        yield get(f"{path}?id__zz=1", path, ("id__zz", "1"))


def _one_field(path: str, item: Field, pool: tuple[str, str], values: Values) -> Iterator[Case]:
    for operator in OPERATORS:
        yield get(f"{path}?{item.name}__{operator}", path,
                  (f"{item.name}__{operator}", _operator_value(operator, pool)))
    yield get(f"{path}?{item.name}=", path, (item.name, pool[1]))
    yield get(f"{path}?{item.name}__isnull=false", path, (f"{item.name}__isnull", "false"))
    if (bad := values.bad.get(item.type)) is not None:
        yield get(f"{path}?{item.name}=bad", path, (item.name, bad))
    for spelling in WHERE_SPELLINGS:
        yield where(f"{path} where {item.name}.{spelling}", path,
                    {item.name: {spelling: _where_value(spelling, item, pool)}})
    yield where(f"{path} where {item.name}: value", path, {item.name: typed(item, pool[0])})
    yield where(f"{path} where {item.name}: null", path, {item.name: None})
    yield where(f"{path} where {item.name}.not null", path, {item.name: {"not": None}})
    yield where(f"{path} where {item.name}.equals null", path, {item.name: {"equals": None}})
    yield where(f"{path} where NOT {item.name}", path, {"NOT": {item.name: typed(item, pool[0])}})
    yield get(f"{path}?sort={item.name}", path, ("sort", item.name))
    yield get(f"{path}?sort=-{item.name}", path, ("sort", f"-{item.name}"))
    if item.type == "string":
        for spelling in ("equals", "in", "startsWith", "endsWith", "contains", "not",
                         "notIn", "gt", "lte"):
            value = _where_value(spelling, item, pool)
            yield where(f"{path} where {item.name}.{spelling} insensitive", path,
                        {item.name: {spelling: value, "mode": "insensitive"}})


# Comparisons of a text that ignore case: the database's collation decides them (on MySQL the
# Express server emulates them: lib/insensitive.ts).
INSENSITIVE = frozenset({"icontains", "mode"})


def answered_by_the_database(ir: IR, case: Case) -> bool:
    """Whether a case of ``field_cases`` has an answer the database decides beyond its rows: a
    sort (the order of each type, NULLs), or a comparison of a text ignoring case. The others
    (a value or operator refused, the comparisons of each type) run on MariaDB in `make soak`
    (test_parity.py) and on PostgreSQL in every run."""
    params = dict(case.query)
    if "sort" in params:
        return True
    texts = {item.name for entity in ir.entities.values() if entity.api.path == case.path
             for item in entity.fields if item.type == "string"}
    for name in params:
        field_name, _, operator = name.partition("__")
        if field_name in texts and operator == "icontains":
            return True
    document = json.loads(params.get("where", "{}"))
    return isinstance(document, dict) and any(
        name in texts and isinstance(condition, dict) and not INSENSITIVE.isdisjoint(condition)
        for name, condition in document.items())


def type_write_cases(ir: IR, values: Values, targets: Mapping[str, str]) -> Iterator[Case]:
    """A PATCH of every field of each entity in ``targets`` (entity name: the path of a row
    written to) with each edge value of its type and each bad one, read-only fields included
    (a 422 must be the same 422); each edge value's answer shows how it was stored."""
    for name, target in targets.items():
        for item in ir.entities[name].fields:
            if item.type in values.skip_types:
                continue
            for index, value in enumerate(values.edges.get(item.type, ())):
                yield Case(f"PATCH {name}.{item.name} edge {index}", "PATCH", target,
                           body={item.name: value}, compared=(item.name,))
            for index, value in enumerate(values.bad_writes.get(item.type, ())):
                yield json_case(f"PATCH {name}.{item.name} bad {index}", "PATCH", target,
                                {item.name: value})
