"""The REST contract's tables, decided once: operators, reserved list parameters, limits and
problem types. Data only (frozen dataclasses and tuples, no behaviour).

The FastAPI runtime and the OpenAPI emitter import these; the Express emitter renders them into
every project it writes (src/lib/contract.ts), and the docs' tables are generated from them
(`make docs`; tests/contract/test_docs_tables.py fails when the docs and these tables
disagree). A new operator is a row here, its SQL in the runtime
(fastbackend_fastapi/query/operators.py, BUILDERS) and its Prisma condition in the Express
support library (src/lib/filters.ts, BUILDERS); which fields take it the compiler records in
the IR, and both servers check only that record. The scalar types are scalars.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastbackend_contract import scalars

# Logical IR types a list query can compare, by their family in the scalar table (scalars.py).
# json, bytes and list fields are not filterable; enums, booleans and UUIDs have no portable
# order.
TEXT_TYPES = scalars.family("text")
ORDERED_TYPES = (*TEXT_TYPES, *scalars.family("ordered"))
COMPARABLE_TYPES = (*ORDERED_TYPES, *scalars.family("equality"))


@dataclass(frozen=True)
class Operator:
    """``field__<name>=value`` in a query string; ``{"field": {<name or prisma>: value}}`` in
    where=JSON."""

    name: str
    types: tuple[str, ...]  # the logical types it applies to
    summary: str  # a few words: the OpenAPI filter's description
    meaning: str  # the docs' sentence
    prisma: str | None = None  # Prisma's spelling, accepted in where= beside ``name``
    listed: bool = False  # takes a list of values (comma-separated in a query string)


OPERATORS: tuple[Operator, ...] = (
    Operator("eq", COMPARABLE_TYPES, "equal to", "equal (also the bare `field=value`)",
             prisma="equals"),
    Operator("ne", COMPARABLE_TYPES, "not equal to",
             "not equal; a NULL differs from every value, so it matches", prisma="not"),
    Operator("gt", ORDERED_TYPES, "greater than", "greater than", prisma="gt"),
    Operator("gte", ORDERED_TYPES, "at least", "greater than or equal", prisma="gte"),
    Operator("lt", ORDERED_TYPES, "less than", "less than", prisma="lt"),
    Operator("lte", ORDERED_TYPES, "at most", "less than or equal", prisma="lte"),
    Operator("in", COMPARABLE_TYPES, "one of (comma-separated)",
             "one of a comma-separated list (`id__in=1,2,3`; an empty value is an empty list)",
             prisma="in", listed=True),
    Operator("notin", COMPARABLE_TYPES, "none of (comma-separated)",
             "none of the list; NULL matches", prisma="notIn", listed=True),
    Operator("contains", TEXT_TYPES, "contains",
             "case-sensitive text match; `%`, `_`, `*`, `?`, `[` are plain characters",
             prisma="contains"),
    Operator("icontains", TEXT_TYPES, "contains, ignoring case",
             "case-insensitive contains (ASCII letters on SQLite; PostgreSQL's `ILIKE` folds "
             "more)"),
    Operator("startswith", TEXT_TYPES, "starts with", "case-sensitive prefix match",
             prisma="startsWith"),
    Operator("endswith", TEXT_TYPES, "ends with", "case-sensitive suffix match",
             prisma="endsWith"),
    Operator("isnull", COMPARABLE_TYPES, "is null (true) or is not (false)",
             "`true` or `false`"),
)


@dataclass(frozen=True)
class Parameter:
    """A list query parameter; ``reserved`` ones are never read as a filter (a field named so
    is filtered on as ``name__eq``)."""

    name: str
    syntax: str
    default: str = ""
    reserved: bool = True


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("*field*", "`title=x`: equals", reserved=False),
    Parameter("*field*`__`*op*",
              "`title__contains=x`, `id__in=1,2,3`, `published_at__isnull=true`", reserved=False),
    Parameter("*relation*`.`*field*[`__`*op*]",
              "`author.email__endswith=@x.io`, `comments.body=hi`, `post.author.name=Al`",
              reserved=False),
    Parameter("where", "a JSON object in Prisma's `where` shape (below)"),
    Parameter("search", "`sql \"query planner\" -mysql`: full-text search, on entities that "
                        "declare it (below, \"Search\")", "ordered by rank when no `sort`"),
    Parameter("deleted", "`only` or `include`: the soft-deleted rows instead of, or beside, the "
                         "live ones, on entities that declare soft delete (rest-api.md, \"Soft "
                         "delete\")", "live rows only"),
    Parameter("sort", "`-created_at,title,author.name`: comma-separated, `-` descending",
              "the key fields"),
    Parameter("limit", "1 to the maximum page size (`max_page_size`)",
              "50 (`default_limit`)"),
    Parameter("offset", "a non-negative integer; not with `cursor`", "0"),
    Parameter("cursor", "an opaque token from `meta.next_cursor`"),
    Parameter("count", "`exact`, `planned`, `estimated` or `none` (below, \"Counting\"); also "
                       "as `Prefer: count=...`", "`exact` on offset pages, `none` on cursor pages"),
    Parameter("fields", "`id,title`: the fields to return", "every readable field"),
    Parameter("include", "`author,comments,comments.author`: related rows to nest; "
              "`_count.comments`: their number"),
)
RESERVED_PARAMETERS = tuple(p.name for p in PARAMETERS if p.reserved)


# Aggregates: `GET /posts/aggregate` (docs/query-language.md, "Aggregates") --------------------
@dataclass(frozen=True)
class Aggregate:
    """An aggregate function: ``<name>=field,field`` asks for it, ``<name>.<field>`` names its
    value in ``sort`` and ``having``; ``count=*`` counts rows."""

    name: str
    types: tuple[str, ...]  # the logical types it applies to
    meaning: str  # the docs' sentence
    result: str  # what its value is, in JSON


NUMERIC_TYPES = scalars.numeric()
AGGREGATES: tuple[Aggregate, ...] = (
    Aggregate("count", COMPARABLE_TYPES, "rows (`count=*`), or rows where the field is not null",
              "integer"),
    Aggregate("count_distinct", COMPARABLE_TYPES, "distinct values of the field, nulls aside",
              "integer"),
    Aggregate("sum", NUMERIC_TYPES, "sum of the values, nulls aside; `null` when there are none",
              "the field's type (a decimal as a string)"),
    Aggregate("avg", NUMERIC_TYPES, "mean of the values, nulls aside; `null` when there are none",
              "a number (double precision)"),
    Aggregate("min", ORDERED_TYPES, "smallest value, nulls aside", "the field's type"),
    Aggregate("max", ORDERED_TYPES, "largest value, nulls aside", "the field's type"),
)
# Logical type -> the aggregates that apply, in AGGREGATES' order; the compiler records each
# field's in the IR (FieldRoles.aggregates) when it may be aggregated (fastbackend_ir.contract).
AGGREGATES_BY_TYPE: dict[str, tuple[str, ...]] = {
    kind: tuple(a.name for a in AGGREGATES if kind in a.types) for kind in COMPARABLE_TYPES}
AGGREGATE_ROWS = "*"  # `count=*`: the rows of each group
# The parameters of an aggregate request beside the filters (and `where`) and AGGREGATES' names.
AGGREGATE_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("group_by", "`status,author.name`: fields and to-one relation paths, each "
              "groupable (`roles.groupable`)", "no grouping: one row of the whole set"),
    Parameter("having", "`count.*__gte=2,sum.views__gt=100`: `aggregate.field__op=value`, "
              "comma-separated, ANDed; ops `eq ne gt gte lt lte`"),
    Parameter("sort", "`-sum.views,status`: aggregates and `group_by` entries, `-` descending",
              "the `group_by` entries"),
    Parameter("limit", "1 to `max_groups`", "none: more than `max_groups` groups is a 400"),
    Parameter("offset", "a non-negative integer", "0"),
)
HAVING_OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte")
MAX_INCLUDE_DEPTH = 3  # relations in one include path (`a.b.c`); fixed, not a limit to tune
MAX_BATCH = 1000  # rows in one bulk create
MAX_LISTED_ERRORS = 100  # field errors listed in one problem; its detail still counts them all


@dataclass(frozen=True)
class Limit:
    """One limit, set (first found wins) by its environment variable (or an alias), by
    fastbackend.yaml's ``limits.<key>`` (the runtime only: the Express server reads nothing but
    its environment), else ``default``. Counts and bytes are whole numbers >= 1; seconds are
    numbers > 0."""

    key: str
    env: str
    default: int
    unit: str  # "count", "bytes" or "seconds"
    governs: str  # the docs' words: what it bounds, and the answer past it
    aliases: tuple[str, ...] = ()  # older environment variables, read after ``env``
    query: bool = False  # bounds what one list query may ask for (docs/query-language.md)


LIMITS: tuple[Limit, ...] = (
    Limit("default_limit", "FASTBACKEND_DEFAULT_LIMIT", 50, "count",
          "rows of a list page when the request gives no `limit`"),
    Limit("max_page_size", "FASTBACKEND_MAX_PAGE_SIZE", 200, "count",
          "the largest `limit`; above it, 400 `invalid-parameter` (never a silent clamp)",
          aliases=("FASTBACKEND_MAX_LIMIT",)),
    Limit("max_body_bytes", "FASTBACKEND_MAX_BODY_BYTES", 1024 * 1024, "bytes",
          "a request body (by `Content-Length`, or counted as it streams): 413 "
          "`payload-too-large`"),
    Limit("max_url_bytes", "FASTBACKEND_MAX_URL_BYTES", 8 * 1024, "bytes",
          "path and query string: 414 `url-too-long`"),
    Limit("max_header_bytes", "FASTBACKEND_MAX_HEADER_BYTES", 16 * 1024, "bytes",
          "every header name and value together: 431 `headers-too-large`"),
    Limit("max_query_params", "FASTBACKEND_MAX_QUERY_PARAMS", 100, "count",
          "query parameters in one URL: 400 `too-many-parameters`"),
    Limit("body_timeout_seconds", "FASTBACKEND_BODY_TIMEOUT_SECONDS", 30, "seconds",
          "a request body must arrive in full this long after its first read: 408 "
          "`request-timeout`"),
    Limit("max_where_depth", "FASTBACKEND_MAX_WHERE_DEPTH", 10, "count",
          "nesting of `where=` objects: `AND`, `OR`, `NOT` and relation levels", query=True),
    Limit("max_relation_depth", "FASTBACKEND_MAX_RELATION_DEPTH", 4, "count",
          "relations walked by one dot path (`a.b.c.d.name`), one sort key, or nested `where=` "
          "relations", query=True),
    Limit("max_conditions", "FASTBACKEND_MAX_CONDITIONS", 256, "count",
          "filter parameters (or keys of a `POST .../query` body) and `where=` keys, together",
          query=True),
    Limit("max_list_values", "FASTBACKEND_MAX_LIST_VALUES", 1000, "count",
          "values of every `in` / `notin` list of the request, together", query=True),
    Limit("max_names", "FASTBACKEND_MAX_NAMES", 64, "count",
          "entries of `sort`, of `fields` and of `include`, each", query=True),
    Limit("max_bulk_rows", "FASTBACKEND_MAX_BULK_ROWS", 1000, "count",
          "rows one bulk update or delete by filter (`PATCH /posts?...`, `DELETE /posts?...`) "
          "may touch: past it, 400 `too-many-rows` and nothing is written"),
    Limit("max_nested_depth", "FASTBACKEND_MAX_NESTED_DEPTH", 3, "count",
          "levels of relations one create's or update's body may nest (`create`, `connect`, "
          "`connectOrCreate`, `set`, `disconnect` inside one another): deeper, 422 `validation-error` (code "
          "`nested_depth`) pointing at the relation past the limit, and nothing is written"),
    Limit("max_batch_operations", "FASTBACKEND_MAX_BATCH_OPERATIONS", 100, "count",
          "operations one atomic batch (`POST /_batch`) may carry: more, 400 "
          "`too-many-operations` and nothing runs"),
    Limit("max_groups", "FASTBACKEND_MAX_GROUPS", 1000, "count",
          "groups one aggregate request (`GET /posts/aggregate`) answers: its largest `limit`; "
          "without a `limit`, more groups than this is a 400 `too-many-groups`"),
    Limit("aggregate_timeout_seconds", "FASTBACKEND_AGGREGATE_TIMEOUT_SECONDS", 5, "seconds",
          "one aggregate request's read runs at most this long (the runtime: PostgreSQL's "
          "`statement_timeout`, SQLite's progress handler; Express: its transaction's timeout): "
          "past it, 503 `database-timeout`"),
)


@dataclass(frozen=True)
class OperationsSetting:
    """A key of fastbackend.yaml's `operations` section that both servers read from the same
    environment variable, with the same default and choices (docs/operations.md). The runtime's
    operations/config.py takes its variable, default and choices from here (and also reads the
    file); the Express server reads the variable alone, through contract.ts. The `replicas`
    keys are the runtime's alone, and stay in its table."""

    key: str  # its dotted path under `operations`
    env: str
    default: str | bool | int | float
    kind: str  # "flag" (1/0, true/false, yes/no, on/off), "text", "whole" or "number" (> 0)
    choices: tuple[str, ...] = ()  # the values a text takes; empty: any
    maximum: float | None = None  # a number's highest value, if it has one


OPERATIONS_SETTINGS: tuple[OperationsSetting, ...] = (
    OperationsSetting("logs.format", "FASTBACKEND_LOG_FORMAT", "text", "text", ("text", "json")),
    OperationsSetting("logs.access", "FASTBACKEND_ACCESS_LOG", False, "flag"),
    OperationsSetting("logs.level", "FASTBACKEND_LOG_LEVEL", "", "text",
                      ("", "debug", "info", "warning", "error")),
    OperationsSetting("metrics.enabled", "FASTBACKEND_METRICS", False, "flag"),
    OperationsSetting("metrics.path", "FASTBACKEND_METRICS_PATH", "/metrics", "text"),
    OperationsSetting("tracing.enabled", "FASTBACKEND_TRACING", False, "flag"),
    OperationsSetting("tracing.service_name", "OTEL_SERVICE_NAME", "fastbackend", "text"),
    OperationsSetting("tracing.otlp_endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "", "text"),
    OperationsSetting("tracing.sample_ratio", "FASTBACKEND_TRACE_SAMPLE_RATIO", 1.0, "number",
                      maximum=1.0),
    OperationsSetting("rate_limit.enabled", "FASTBACKEND_RATE_LIMIT", False, "flag"),
    OperationsSetting("rate_limit.requests", "FASTBACKEND_RATE_LIMIT_REQUESTS", 100, "whole"),
    OperationsSetting("rate_limit.window_seconds", "FASTBACKEND_RATE_LIMIT_WINDOW_SECONDS", 60.0,
                      "number"),
    OperationsSetting("rate_limit.client", "FASTBACKEND_RATE_LIMIT_CLIENT", "ip", "text",
                      ("ip", "api_key", "jwt_subject")),
    OperationsSetting("rate_limit.api_key_header", "FASTBACKEND_RATE_LIMIT_API_KEY_HEADER",
                      "X-API-Key", "text"),
    OperationsSetting("rate_limit.storage", "FASTBACKEND_RATE_LIMIT_STORAGE", "memory", "text",
                      ("memory", "redis")),
    OperationsSetting("rate_limit.redis_url", "REDIS_URL", "redis://127.0.0.1:6379/0", "text"),
    OperationsSetting("rate_limit.key_prefix", "FASTBACKEND_RATE_LIMIT_PREFIX", "fastbackend:rl",
                      "text"),
)
OPERATIONS_BY_KEY: dict[str, OperationsSetting] = {row.key: row for row in OPERATIONS_SETTINGS}

# The parameter that lets a bulk update or delete by filter name no filter (every row):
# `?all=true`. Read by those routes only (a list takes a field named `all` as a filter).
BULK_ALL_PARAMETER = "all"
# The list parameters a bulk update or delete by filter takes: the filters and these.
BULK_PARAMETERS = ("where", BULK_ALL_PARAMETER)

PROBLEM_TYPE_BASE = "https://fastbackend.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
# Every answer carries the request's id in this header (the client's own when it sent one, else
# the trace id of its `traceparent`, else a new one), and every problem body in this field.
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_FIELD = "request_id"
# A problem's title is its status's (RFC 9110's reason phrase); any other status: "Error".
TITLES: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class ProblemType:
    """``type`` is PROBLEM_TYPE_BASE + ``slug``; ``title`` is TITLES[``status``]."""

    slug: str
    status: int
    when: str


PROBLEMS: tuple[ProblemType, ...] = (
    ProblemType("malformed-json", 400, "the body is not JSON"),
    ProblemType("invalid-parameter", 400,
                "a bad list query parameter, or a list query past its limits (below)"),
    ProblemType("too-many-parameters", 400,
                "more query parameters than `limits.max_query_params` (100)"),
    ProblemType("malformed-url", 400, "a path or query string that is not UTF-8 once "
                                      "percent-decoded, or holds NUL (`%00`)"),
    ProblemType("query-too-complex", 400,
                "a list query the database itself cannot run (SQLite's parser stack, "
                "PostgreSQL 54001), reachable only with raised query limits"),
    ProblemType("malformed-header", 400, "a `Content-Type`, `If-Match` or `If-None-Match` "
                                         "that is not printable ASCII"),
    ProblemType("client-disconnected", 400, "the client went away before its body arrived "
                                            "(logged; nobody reads the answer)"),
    ProblemType("unauthorized", 401, "an auth dependency refused the credentials (raised as "
                                     "FastAPI's `HTTPException(401)`)"),
    ProblemType("forbidden", 403, "an auth dependency refused the operation "
                                  "(`HTTPException(403)`), or a scoped entity reached without "
                                  "its scope dependencies"),
    ProblemType("not-found", 404,
                "no row for the key (or a key that cannot parse), no related row, an unknown path"),
    ProblemType("method-not-allowed", 405, "an operation the entity does not expose; `Allow` "
                                           "lists the path's methods"),
    ProblemType("request-timeout", 408, "the request body did not arrive in full within "
                                        "`limits.body_timeout_seconds` (30 s); the connection "
                                        "closes"),
    ProblemType("unique-violation", 409,
                "a unique constraint or primary key; `errors` name every field of it"),
    ProblemType("dependent-rows", 409, "a delete blocked by rows that reference this one "
                                       "(`restrict`, `noAction`)"),
    ProblemType("conflict", 409, "any other refusal by the database"),
    ProblemType("filter-required", 400,
                "a bulk update or delete by filter that names no filter (nor `where`), without "
                "`all=true`: nothing is written"),
    ProblemType("too-many-rows", 400,
                "a bulk update or delete by filter that matches more rows than "
                "`limits.max_bulk_rows` (1000): rolled back, nothing is written"),
    ProblemType("too-many-operations", 400,
                "an atomic batch (`POST /_batch`) of more operations than "
                "`limits.max_batch_operations` (100): nothing runs"),
    ProblemType("too-many-groups", 400,
                "an aggregate request without `limit` whose groups outnumber "
                "`limits.max_groups` (1000): give a `limit` or narrower filters"),
    ProblemType("precondition-failed", 412, "`If-Match` does not match"),
    ProblemType("payload-too-large", 413, "a body past `limits.max_body_bytes` (1 MiB), by "
                                          "`Content-Length` or counted as it streams"),
    ProblemType("url-too-long", 414,
                "a path and query string past `limits.max_url_bytes` (8 KiB)"),
    ProblemType("unsupported-media-type", 415,
                "a body that is not `application/json` (or `+json`), and a body sent without a "
                "`Content-Type` (it is not known to be JSON)"),
    ProblemType("validation-error", 422,
                "a body that fails validation (code per field: pydantic's error type, "
                "`read_only`, `unknown_field`); a foreign key to a missing row, a "
                "soft-deleted one or one out of the caller's row scope (code `foreign_key`); "
                "a value the database refuses"),
    ProblemType("too-many-requests", 429, "the client's token bucket for this route is empty "
                                          "(`operations.rate_limit`, off by default); "
                                          "`Retry-After` and `RateLimit` say when to retry"),
    ProblemType("headers-too-large", 431, "headers past `limits.max_header_bytes` (16 KiB)"),
    ProblemType("database-unavailable", 503,
                "the database does not answer (down, restarting); `Retry-After: 1`"),
    ProblemType("database-busy", 503,
                "every connection is in use past the pool timeout, SQLite's write lock held "
                "past the busy timeout, a deadlock or serialization failure; nothing was "
                "written; `Retry-After: 1`"),
    ProblemType("database-timeout", 503, "a statement ran past the statement timeout and was "
                                         "cancelled; nothing was written; `Retry-After: 5`"),
    ProblemType("schema-out-of-date", 503,
                "the database lacks a table or column of the API: run `fastbackend migrate "
                "--apply`; `Retry-After: 30`"),
    ProblemType("not-ready", 503, "`/readyz` only: the database is behind the project's "
                                  "migrations/ (run `fastbackend migrate --apply`); "
                                  "`Retry-After: 30`"),
    ProblemType("commit-outcome-unknown", 503,
                "the connection broke during COMMIT: the write may or may not have been saved; "
                "read before retrying; `Retry-After: 1`"),
    ProblemType("database-error", 500,
                "the database refused the request's SQL for good (a function or type it lacks, "
                "a trigger's error): a fault of the server or its schema, logged with the "
                "statement; no `Retry-After`"),
    ProblemType("internal-error", 500, "a bug; the body never carries a stack trace"),
)

# Logical type -> the operators that apply to a field of it, in OPERATORS' order (a type
# missing here, json or bytes, cannot be filtered on). The compiler records each field's
# operators in the IR from this (fastbackend_ir.contract); adapters read the IR.
OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    kind: tuple(op.name for op in OPERATORS if kind in op.types) for kind in COMPARABLE_TYPES}

# The problem types (PROBLEMS' slugs) each kind of route can answer beyond those any request
# can (malformed-url, url-too-long, too-many-parameters, headers-too-large, request-timeout,
# unauthorized and forbidden from auth, method-not-allowed, the 500s) and those any route can,
# since every route reads the database (DATABASE_PROBLEMS). The compiler records them on each
# route of the IR; the OpenAPI emitter documents them.
DATABASE_PROBLEMS = ("database-unavailable", "database-busy", "database-timeout",
                     "schema-out-of-date")
_BODY = ("malformed-json", "payload-too-large", "unsupported-media-type")
_REFUSED = ("validation-error", "unique-violation", "conflict")
_WRITE = "commit-outcome-unknown"
ROUTE_PROBLEMS: dict[str, tuple[str, ...]] = {
    "list": ("invalid-parameter",),
    "query": (*_BODY, "invalid-parameter"),
    "create": (*_BODY, *_REFUSED, _WRITE),
    "bulkCreate": (*_BODY, *_REFUSED, _WRITE),
    "bulkUpdate": (*_BODY, "invalid-parameter", "filter-required", "too-many-rows", *_REFUSED,
                   _WRITE),
    "bulkDelete": ("invalid-parameter", "filter-required", "too-many-rows", "dependent-rows",
                   "conflict", _WRITE),
    "aggregate": ("invalid-parameter", "too-many-groups"),
    "read": ("malformed-header", "not-found"),
    "update": (*_BODY, "malformed-header", "not-found", "precondition-failed", *_REFUSED, _WRITE),
    "replace": (*_BODY, "malformed-header", "not-found", "precondition-failed", *_REFUSED,
                _WRITE),
    "delete": ("malformed-header", "not-found", "precondition-failed", "dependent-rows",
               "conflict", _WRITE),
    "restore": ("not-found", "conflict", _WRITE),
    "readRelated": ("malformed-header", "not-found"),
    "listRelated": ("invalid-parameter", "not-found"),
    "createRelated": (*_BODY, "not-found", *_REFUSED, _WRITE),
    "link": ("not-found", "unique-violation", _WRITE),
    "unlink": ("not-found", _WRITE),
    # every operation's problems (the failed one's, its pointers into the batch's body)
    "batch": (*_BODY, "malformed-header", "too-many-operations", "not-found",
              "precondition-failed", "dependent-rows", *_REFUSED, _WRITE),
    # the realtime feed: its filters, and Last-Event-ID (not an event id of this feed: 400)
    "changes": ("invalid-parameter", "malformed-header"),
}

# The atomic batch (docs/rest-api.md "Atomic batch") ------------------------------------------
# `POST /_batch` runs several writes on any resources in one transaction: all or none. The path
# starts with `_`, which no resource path has (a resource path is the kebab-case plural of a
# model name, and the compiler refuses `_` at the start of a path set in fastbackend.yaml), so
# it can never shadow nor be shadowed by an entity's routes.
BATCH_PATH = "/_batch"
BATCH_ACTION = "batch"  # the operation id, and its row in ROUTE_PROBLEMS and MINIMAL_ANSWERS
# A value `{"$ref": "<name>.<field>"}` anywhere in a later operation's `key` or `body` stands
# for that field of the row an earlier operation named `<name>` (its `ref`) answered.
BATCH_REF = "$ref"
BATCH_REF_NAME = "^[A-Za-z_][A-Za-z0-9_]{0,63}$"  # a `ref`: no dot, so `a.id` splits once


@dataclass(frozen=True)
class BatchOperation:
    """One kind of operation of a batch: it runs the route ``action`` of the resource
    (``method`` on its collection path, or on its item path when ``keyed``)."""

    op: str
    action: str
    method: str
    keyed: bool  # names a row by `key`
    body: bool  # takes a `body`


BATCH_OPERATIONS: tuple[BatchOperation, ...] = (
    BatchOperation("create", "create", "POST", keyed=False, body=True),
    BatchOperation("update", "update", "PATCH", keyed=True, body=True),
    BatchOperation("replace", "replace", "PUT", keyed=True, body=True),
    BatchOperation("delete", "delete", "DELETE", keyed=True, body=False),
)
BATCH_OPERATION_FIELDS = ("op", "path", "key", "body", "ref", "if_match")
# (op, route action) pairs, for fastbackend_ir.contract.batch_operations
BATCH_KINDS = tuple((operation.op, operation.action) for operation in BATCH_OPERATIONS)

# Prefer (RFC 7240) on writes ---------------------------------------------------------------
# A client may ask a write for less than the row back: `Prefer: return=minimal`. Both servers
# read the header by one rule (preference names case-insensitive, values as sent, the first
# occurrence of a name wins, parameters after `;` ignored, unknown preferences ignored) and
# say what they honoured in `Preference-Applied`. `return=representation` is the default: the
# route's own answer, as without the header.
PREFER_HEADER = "Prefer"
PREFERENCE_APPLIED_HEADER = "Preference-Applied"
RETURN_PREFERENCE = "return"
RETURN_MINIMAL = "minimal"
RETURN_REPRESENTATION = "representation"


@dataclass(frozen=True)
class MinimalAnswer:
    """A write route's answer to `Prefer: return=minimal`: ``status``, no body, only the
    ``headers`` named (beside `Preference-Applied` and the request id)."""

    action: str  # a route action (ROUTE_PROBLEMS' keys)
    status: int
    headers: tuple[str, ...] = ()
    representation: bool = True  # whether `return=representation` changes anything (a body)
    counted: bool = False  # answers `{"count": n}` by default, with `data` on representation


# 204 everywhere, a create's too (as OData answers `return=minimal`): one status, one answer
# shape, so the OpenAPI document types a create's 201 as the row and its 204 as no body
# (a 201 that sometimes has no body is a JSON parse error in every generated client).
MINIMAL_ANSWERS: tuple[MinimalAnswer, ...] = (
    MinimalAnswer("create", 204, ("Location", "ETag")),
    MinimalAnswer("bulkCreate", 204),
    MinimalAnswer("update", 204, ("ETag",)),
    MinimalAnswer("replace", 204, ("Location", "ETag")),  # Location: a PUT that created it
    MinimalAnswer("createRelated", 204, ("Location", "ETag")),
    MinimalAnswer("bulkUpdate", 204, counted=True),
    MinimalAnswer("bulkDelete", 204, counted=True),
    MinimalAnswer("restore", 204, ("ETag",)),
    MinimalAnswer("batch", 204),
    # No body either way: `return=minimal` is honoured (and said so), `representation` is not.
    MinimalAnswer("delete", 204, representation=False),
    MinimalAnswer("link", 204, representation=False),
    MinimalAnswer("unlink", 204, representation=False),
)
MINIMAL_BY_ACTION: dict[str, MinimalAnswer] = {answer.action: answer
                                               for answer in MINIMAL_ANSWERS}

# Prefer: resolution on creates (PostgREST's upsert) -----------------------------------------
# `POST {path}` and its bulk route with `Prefer: resolution=merge-duplicates` insert each row
# or, when a row already holds its conflict target's values, update that row with the fields
# sent; `ignore-duplicates` leaves that row as it is. `on_conflict=<fields>` names the target:
# the primary key (the default) or one unique constraint (fastbackend_ir.contract.
# conflict_targets); any other value is a 400 invalid-parameter naming the valid ones. Only on
# entities that are both created and updated (contract.upserts); elsewhere the preference is
# ignored (a plain create) as any unknown preference is. `Preference-Applied` echoes it.
RESOLUTION_PREFERENCE = "resolution"
MERGE_DUPLICATES = "merge-duplicates"
IGNORE_DUPLICATES = "ignore-duplicates"
RESOLUTIONS = (MERGE_DUPLICATES, IGNORE_DUPLICATES)
ON_CONFLICT_PARAMETER = "on_conflict"
UPSERT_ACTIONS = ("create", "bulkCreate")  # the routes that take `Prefer: resolution`

# include= on one row's answer (docs/rest-api.md "include on one row") ----------------------
# The routes that answer one row (or a bulk create's rows) take the list's `include=` (its
# grammar, depth and 400s; `_count.<relation>` too) and nest the related rows in the answer,
# as Prisma's `create({data, include})` does: GET of one row and of a to-one relation
# (`readRelated`), and these writes (restore too), read in the write's own transaction. Both
# servers and the OpenAPI emitter read this row. The ETag stays the row's own; with
# `Prefer: return=minimal` the value is checked and there is no body.
INCLUDE_PARAMETER = "include"
INCLUDED_ACTIONS = ("read", "create", "bulkCreate", "update", "replace", "createRelated", "restore",
                    "readRelated")

# Prefer: count on lists (PostgREST's) ----------------------------------------------------
# How a list page's `meta.total` is counted: `Prefer: count=...` on the list routes, read by the
# rule above, or the `count` list parameter, which wins when both are given (it is part of the
# URL). Without either: `exact` on offset pages, `none` on cursor pages (as before the header).
# Not counted, `meta.total` is null (the key is always there). `Preference-Applied` answers the
# header only (never the parameter): `count=<method>`, the method that counted, so a `planned`
# or `estimated` that the database could not plan says `count=exact`.
COUNT_PREFERENCE = "count"
COUNT_EXACT = "exact"
COUNT_PLANNED = "planned"
COUNT_ESTIMATED = "estimated"
COUNT_NONE = "none"
# `estimated`: the planner's estimate first; at most this many rows, the exact count instead
# (PostgREST's threshold is its `db-max-rows`; ours is fixed, documented here).
ESTIMATED_EXACT_UP_TO = 10_000
COUNTED_ACTIONS = ("list", "query", "listRelated")  # the routes that take `Prefer: count`


@dataclass(frozen=True)
class CountMethod:
    name: str
    meaning: str


COUNT_METHODS: tuple[CountMethod, ...] = (
    CountMethod(COUNT_EXACT, "`count(*)` of the filtered rows, in the page's own statement "
                             "(a scalar subquery): one round trip"),
    CountMethod(COUNT_PLANNED, "the planner's row estimate of the filtered rows (PostgreSQL: "
                               "`EXPLAIN (FORMAT JSON)`'s `Plan Rows`), a second round trip "
                               "that reads no row; where the database gives no estimate "
                               "(SQLite, MySQL/MariaDB) the exact count"),
    CountMethod(COUNT_ESTIMATED, f"the planned count; when it is at most "
                                 f"{ESTIMATED_EXACT_UP_TO:,} rows, the exact count instead"),
    CountMethod(COUNT_NONE, "no count: `meta.total` is null"),
)
COUNT_METHOD_NAMES = tuple(method.name for method in COUNT_METHODS)


# --- what a route is, to whoever reads a trace (docs/operations.md, "Traces") ---------------------
# A route's action -> the operation its span names in `fastbackend.operation` (a query and a bulk
# create are a list and a create to whoever reads a dashboard); a relation's route adds the
# relation's name (`list:posts`). Both servers name their spans from this table.
TRACED_OPERATIONS: dict[str, str] = {
    "list": "list", "query": "list", "aggregate": "list", "create": "create",
    "bulkCreate": "create", "bulkUpdate": "update", "bulkDelete": "delete",
    "read": "read", "update": "update", "replace": "replace", "delete": "delete",
    "restore": "update", "readRelated": "read", "listRelated": "list", "createRelated": "create",
    "link": "link", "unlink": "unlink", "changes": "list",
}


def traced_operation(action: str, relation: str | None) -> str:
    """`fastbackend.operation` of a recorded route: its action's, with its relation's name."""
    operation = TRACED_OPERATIONS[action]
    return operation if relation is None else f"{operation}:{relation}"
