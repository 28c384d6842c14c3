"""IR -> every file of the emitted Express project, as a map of relative path -> text.

One jinja2 template per kind of output file (StrictUndefined: a typo fails instead of
rendering blank). Nothing is ever emitted under src/custom/: that folder is the user's, loaded
by the generated app at startup, so regeneration cannot touch it (see docs/express.md).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from importlib.resources import files

import jinja2

from fastbackend_contract import tables
from fastbackend_express import links
from fastbackend_express.context import (
    EntityView,
    RelationView,
    entity_views,
    express_path,
    relation_views,
    ts,
)
from fastbackend_express.dialect import MYSQL, dialect_of
from fastbackend_express.images import image_meta, image_tables
from fastbackend_express.library import library_files
from fastbackend_express.names import camel, words
from fastbackend_express.nested import nested_views
from fastbackend_express.pages import page_table, rows_raw
from fastbackend_express.prisma_schema import HEADER, render_schema
from fastbackend_express.search import search_meta
from fastbackend_express.user_schema import user_schema
from fastbackend_ir import IR, Events, IRError, IRProblem, dumps
from fastbackend_ir.contract import Vocabulary, completed, item_siblings
from fastbackend_ir.names import named
from fastbackend_ir.routable import routable, without_shared_tables
from fastbackend_ir.sqldefaults import database_default
from fastbackend_ir.target import SourceTexts

CUSTOM_DIR = "src/custom/"
# The contract's tables, to complete an IR older than 1.2 as the compiler would record it.
VOCABULARY = Vocabulary(tables.OPERATORS_BY_TYPE, tables.ROUTE_PROBLEMS, tables.AGGREGATES_BY_TYPE)
STATIC_FILES = ("package-lock.json",)

# Files that do not depend on the IR (beyond the header): template -> output path. The support
# library (src/lib/) is not a template: it is copied from real TypeScript (library.py).
FIXED_TEMPLATES: dict[str, str] = {
    "package.json.j2": "package.json",
    "tsconfig.json.j2": "tsconfig.json",
    "prisma.config.ts.j2": "prisma.config.ts",
    "gitignore.j2": ".gitignore",
    "src/server.ts.j2": "src/server.ts",
    "src/instrument.ts.j2": "src/instrument.ts",
    "src/db.ts.j2": "src/db.ts",
}

# What each module exports that a router may use; imports are derived from what the body uses.
ROUTER_IMPORTS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("express", ("Router",), False),
    ("zod", ("z",), False),
    ("../generated/prisma/client.js", ("Prisma", "PrismaClient"), True),
    ("../lib/aggregates.js", ("AGGREGATE_TRANSACTION", "aggregateAnswer", "aggregateArgs",
                              "parseAggregate"), False),
    ("../lib/bulk.js", ("bulkUpdateData", "checkBulkRows", "keysWhere", "sendChanged"), False),
    ("../lib/body.js", ("arrayOnSingleCreate", "isArrayBody", "jsonBody", "validate",
                        "validateBatch"), False),
    ("../lib/database-errors.js", ("guarded",), False),
    ("../lib/events.js", ("recordEvents",), False),
    ("../lib/nested.js", ("nests", "nestsMany", "planNested", "planNestedMany",
                                "writeNested", "writeNestedUpdate"), False),
    ("../nested.js", ("NESTED",), False),
    ("../lib/realtime.js", ("changesRoute",), False),
    ("../lib/keys.js", ("keyUnchanged", "location", "lockRow", "uniqueWhere"), False),
    ("../lib/prefer.js", ("countApplied", "preferredCount", "resolution"), False),
    ("../lib/upsert.js", ("conflictTarget", "insertUnlessHeld", "upsertOne"), False),
    ("../lib/contract.js", ("MERGE_DUPLICATES", "ON_CONFLICT_PARAMETER"), False),
    ("../lib/problem.js", ("notFound",), False),
    ("../lib/live.js", ("deletedWhere", "isDeleted", "stamped"), False),
    ("../lib/search.js", ("readListPage",), False),
    ("../lib/rows.js", ("readRow",), False),
    ("../lib/included.js", ("parseIncluded", "readIncluded"), False),
    ("../lib/included.js", ("Includes",), True),
    ("../lib/query.js", ("countWhere", "findManyArgs", "listPage", "parseBulkFilter",
                         "parseListQuery", "parseQueryBody", "relationScope"), False),
    ("../lib/responses.js", ("checkIfMatch", "methodNotAllowed", "noRelated", "notLinked",
                             "sendCreatedRows", "sendNoContent", "sendRow", "sendWritten"),
     False),
    ("../lib/serialize.js", ("sendJson",), False),
    ("../meta.js", ("models",), False),
    ("../lib/operations.js", ("rateLimit",), False),
)


def _upper_snake(name: str) -> str:
    return "_".join(word.upper() for word in words(name))


def _template_literal(text: str) -> str:
    """A TypeScript template literal: SQL keeps its double quotes unescaped."""
    escaped = text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
    return f"`{escaped}`"


@functools.cache
def environment(database: str) -> jinja2.Environment:
    """The templates' environment for one database's SQL, made once: compiling the templates
    was three quarters of a render."""
    loader = jinja2.FileSystemLoader(str(files("fastbackend_express") / "templates"))
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(ts=ts, camel=camel, upper_snake=_upper_snake, template_literal=_template_literal,
                       zip=lambda a, b: list(zip(a, b, strict=True)))
    env.globals.update(header=HEADER, tables=tables, search_meta=search_meta,
                       link_statement=links.link_statement, unlink_statement=links.unlink_statement,
                       database=database)  # the SQL templates write (dialect.py)
    return env


def render_project(ir: IR, sources: SourceTexts | None = None) -> dict[str, str]:
    """Every file of the project. ``sources`` (the schema's files as written) lets
    prisma/schema.prisma be the user's own schema.prisma; otherwise it is printed from the IR."""
    _refuse_unserved(ir)
    env = environment(dialect_of(ir).name)
    ir = completed(ir, VOCABULARY)  # routes, roles and links: the IR's (an older IR completed)
    source, ir = ir, routable(ir)  # no routes where no URL can carry the key, as on FastAPI
    # one Prisma model per table: a single-table subclass is served as its root (routable.py);
    # constraint names: the IR's, an IR 1.0's completed
    views = entity_views(named(without_shared_tables(ir)))
    relations = {name: relation_views(ir, views, view.entity) for name, view in views.items()}
    outputs = {path: env.get_template(name).render() for name, path in FIXED_TEMPLATES.items()}
    outputs.update({name: _static(name) for name in STATIC_FILES})
    outputs.update(library_files())
    outputs["prisma/schema.prisma"] = ((sources and user_schema(source, sources))
                                       or render_schema(named(without_shared_tables(source))))
    outputs["src/meta.ts"] = env.get_template("src/meta.ts.j2").render(
        entities=list(views.values()), relations=relations, cursor_key=cursor_key(ir),
        sql_tables={name: dialect_of(ir).table(view.entity) for name, view in views.items()},
        page_tables={name: page_table(ir, view.entity) for name, view in views.items()},
        raw_rows={name: rows_raw(ir, view.entity) for name, view in views.items()},
        images={name: image_meta(ir, view.entity) for name, view in views.items()},
        image_tables=image_tables(ir))
    outputs["src/app.ts"] = env.get_template("src/app.ts.j2").render(entities=list(views.values()))
    outputs["src/defaults.ts"] = env.get_template("src/defaults.ts.j2").render(
        defaults=database_defaults(ir))
    outputs["README.md"] = env.get_template("README.md.j2").render(
        entities=list(views.values()), relations=relations, source=ir.source)
    nested = nested_views(ir, views, relations)
    outputs["src/nested.ts"] = env.get_template("src/nested.ts.j2").render(
        views=nested, events=_events(ir))
    nesting = {view.view.name for view in nested if view.edges}
    nesting_updates = {view.view.name for view in nested if view.update_edges}
    index = _import_index(views)
    for view in views.values():
        outputs[f"src/schemas/{view.stem}.ts"] = env.get_template("src/schemas/schema.ts.j2").render(
            view=view)
        outputs[f"src/routes/{view.stem}.ts"] = _router(env, view, relations[view.name], index,
                                                        _events(ir), _heartbeat(ir), _retention(ir),
                                                        view.name in nesting,
                                                        view.name in nesting_updates,
                                                        frozenset(nesting))
    assert not any(path.startswith(CUSTOM_DIR) for path in outputs), "src/custom/ is the user's"
    return dict(sorted(outputs.items()))


@dataclass(frozen=True)
class DatabaseDefault:
    table: str  # schema-qualified outside the default schema
    column: str
    expression: str


def database_defaults(ir: IR) -> list[DatabaseDefault]:
    """The SQL defaults the database must run for rows the server creates (the shared rule in
    fastbackend_ir.sqldefaults), checked at start-up; views are the database's own."""
    found = []
    for entity in ir.entities.values():
        if entity.kind == "view":
            continue
        table = f"{entity.schema}.{entity.table}" if entity.schema else entity.table
        for f in entity.fields:
            expression = database_default(f)
            if expression is not None:
                found.append(DatabaseDefault(table, f.column, expression))
    return found


def cursor_key(ir: IR) -> str:
    """The key of list cursors when FASTBACKEND_CURSOR_SECRET is not set, in hex: BLAKE2b-256 of
    the IR's canonical JSON, as the FastAPI runtime derives it (listing.py), so a cursor of one
    server is valid on the other for the same IR. Tamper-evident, not a secret."""
    return hashlib.blake2b(dumps(ir).encode(), digest_size=32).hexdigest()


def _refuse_unserved(ir: IR) -> None:
    """What Prisma's mysql connector cannot serve is refused here, naming the field, rather than
    by `prisma generate` in the emitted project or by a 500 at run time (docs/express.md)."""
    if dialect_of(ir) is not MYSQL:
        return
    problems = [IRProblem(f"/entities/{entity.name}/fields/{field.name}",
                          f"{entity.name}.{field.name} is a list: Prisma's mysql connector has no "
                          "scalar lists, so the Express server cannot serve it on MySQL (the FastAPI "
                          "runtime stores it as JSON there)")
                for entity in ir.entities.values() for field in entity.fields if field.list]
    if problems:
        raise IRError(problems)


def _static(name: str) -> str:
    return (files("fastbackend_express") / "templates" / "static" / name).read_text(encoding="utf-8")


# The realtime feed's rows go with the destinations' (lib/events.ts): a destination name the
# config cannot declare, as the runtime's events/outbox.py names it.
REALTIME = "$realtime"
REALTIME_OPERATIONS = ("create", "update", "delete", "link", "unlink")


def _events(ir: IR) -> dict[str, dict[str, list[str]]]:
    """Per entity and operation, the destinations its change events go to (the IR's `events`;
    none: no write records any, and the routers are those of a project without events); an
    entity of `events.realtime` records every operation for its feed too (`$realtime`)."""
    if ir.events is None:
        return {}
    found = {entity: {operation: list(names) for operation, names in operations.items()}
             for entity, operations in ir.events.entities.items()}
    for entity in ir.events.realtime:
        operations = found.setdefault(entity, {})
        for operation in REALTIME_OPERATIONS:
            operations.setdefault(operation, []).append(REALTIME)
    return found


def _heartbeat(ir: IR) -> float:
    return ir.events.heartbeat_seconds if ir.events is not None else 15.0


def _retention(ir: IR) -> str:
    """lib/realtime.ts's Retention of the IR's events, as a TypeScript literal."""
    events = ir.events or Events()
    rows = "null" if events.retention_rows is None else str(events.retention_rows)
    return f"{{ seconds: {events.retention_seconds:g}, rows: {rows} }}"


def _router(env: jinja2.Environment, view: EntityView, relations: tuple[RelationView, ...],
            index: _ImportIndex, events: dict[str, dict[str, list[str]]], heartbeat: float,
            retention: str, nesting: bool = False, nesting_updates: bool = False,
            nested_models: frozenset[str] = frozenset()) -> str:
    """``nested_models``: the models whose create nests related rows (lib/nested.ts), also
    under a relation's URL."""
    routed = [relation for relation in relations if relation.routed]
    concrete, allowed = _allowed_methods(view, routed)
    body = env.get_template("src/routes/router.ts.j2").render(
        view=view, relations=routed, routed=bool(routed), concrete=concrete, allowed=allowed,
        events=events, heartbeat=heartbeat, retention=retention, nesting=nesting,
        nesting_updates=nesting_updates, nested_models=nested_models, imports="\0IMPORTS\0")
    return body.replace("\0IMPORTS\0", _router_imports(body.split("\0IMPORTS\0", 1)[1], view, index))


Allowed = list[tuple[str, list[str]]]


def _allowed_methods(view: EntityView, relations: list[RelationView]) -> tuple[Allowed, Allowed]:
    """Each route path of the router with the methods the IR records there: first the concrete
    siblings of /:key (`query`, `bulk`), whose 405 must come before /:key would take them
    (OpenAPI matches a concrete path first: PUT /posts/bulk is a 405, not the post keyed
    "bulk"); then the rest."""
    path = view.entity.api.path
    by_path: dict[str, list[str]] = {}
    for route in (*view.routes, *(r for relation in relations for r in relation.routes)):
        by_path.setdefault(route.path, []).append(route.method)
    siblings = {f"{path}/{segment}" for segment in item_siblings(view.routes, path)}
    concrete = sorted((express_path(p), methods) for p, methods in by_path.items() if p in siblings)
    allowed = [(express_path(p), methods) for p, methods in by_path.items() if p not in siblings]
    return ([(route, _with_implied(methods)) for route, methods in concrete],
            [(route, _with_implied(methods)) for route, methods in allowed if methods])


# The order of Allow on both servers (fastbackend_fastapi/methods.py).
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _with_implied(methods: list[str]) -> list[str]:
    """Express answers HEAD wherever it answers GET, and every known path answers OPTIONS."""
    implied = {*methods, "OPTIONS", *(("HEAD",) if "GET" in methods else ())}
    return sorted(implied, key=METHOD_ORDER.index)


def _used(body: str, name: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(name)}\b", body) is not None


# A name as _used() finds it: a whole run of word characters, not after `$`.
_IDENTIFIER = re.compile(r"(?<![\w$])\w+")
_WORD = re.compile(r"\w+")


def _identifiers(body: str) -> frozenset[str]:
    """Every name used in ``body``, read once: the router of each entity used to be searched
    for every other entity's names, which grew with the square of the entities (issue #19)."""
    return frozenset(_IDENTIFIER.findall(body))


def _present(identifiers: frozenset[str], body: str, name: str) -> bool:
    return name in identifiers if _WORD.fullmatch(name) else _used(body, name)


@dataclass(frozen=True)
class _ImportIndex:
    """Which entity each importable name belongs to, built once per project."""

    views: tuple[EntityView, ...]
    schemas: dict[str, list[tuple[int, int]]]  # name -> (entity's order, name's place)
    finders: dict[str, list[int]]  # findX -> entity's order


def _schema_names(view: EntityView) -> tuple[str, ...]:
    return (f"{view.name}Create", f"{view.name}Update",
            f"{_upper_snake(view.name)}_READ_ONLY", f"{_upper_snake(view.name)}_REPLACE_RESETS",
            f"{_upper_snake(view.name)}_GENERATED")


def _import_index(views: dict[str, EntityView]) -> _ImportIndex:
    ordered = tuple(views.values())
    schemas: dict[str, list[tuple[int, int]]] = {}
    finders: dict[str, list[int]] = {}
    for order, other in enumerate(ordered):
        for place, name in enumerate(_schema_names(other)):
            schemas.setdefault(name, []).append((order, place))
        finders.setdefault(f"find{other.name}", []).append(order)
    return _ImportIndex(ordered, schemas, finders)


def _router_imports(body: str, view: EntityView, index: _ImportIndex) -> str:
    identifiers = _identifiers(body)
    lines = []
    for module, names, type_only in ROUTER_IMPORTS:
        used = [name for name in names if _present(identifiers, body, name)]
        if used:
            lines.append(f"import {'type ' if type_only else ''}{{ {', '.join(used)} }} from {ts(module)};")
    schemas: dict[int, list[tuple[int, str]]] = {}
    finders: set[int] = set()
    for name in identifiers:
        for order, place in index.schemas.get(name, ()):
            schemas.setdefault(order, []).append((place, name))
        for order in index.finders.get(name, ()):
            if index.views[order].name != view.name:
                finders.add(order)
    for order in sorted(schemas):
        used = [name for _, name in sorted(schemas[order])]
        other = index.views[order]
        lines.append(f"import {{ {', '.join(used)} }} from {ts(f'../schemas/{other.stem}.js')};")
    for order in sorted(finders):
        other = index.views[order]
        lines.append(f"import {{ find{other.name} }} from {ts(f'./{other.stem}.js')};")
    return "\n".join(lines)
