"""datasource and generator blocks."""

from __future__ import annotations

from fastbackend.frontends.prisma import ast
from fastbackend.frontends.prisma.problems import Problem
from fastbackend.frontends.prisma.symbols import SymbolTable
from fastbackend.frontends.prisma.types import PROVIDERS

DATASOURCE_KEYS = {"provider", "url", "directUrl", "shadowDatabaseUrl", "relationMode",
                   "referentialIntegrity", "schemas", "extensions"}
RELATION_MODES = {"prisma", "foreignKeys"}
_EXTENSION_ARGUMENTS = {"version", "map", "schema"}
# Preview features of Prisma 6.19 and 7 (checked against both engines). Retired ones are still
# accepted with a warning; `metrics` is retired in 6.19 and unknown in 7, `partialIndexes` new in 7.
CURRENT_PREVIEW_FEATURES = {
    "fullTextSearchPostgres", "nativeDistinct", "postgresqlExtensions", "relationJoins",
    "schemaEngineDriverAdapters", "shardKeys", "strictUndefinedChecks", "views", "partialIndexes",
    "typedSql",
}
RETIRED_PREVIEW_FEATURES = {
    "metrics", "multiSchema", "fullTextSearch", "fullTextIndex", "driverAdapters", "omitApi",
    "prismaSchemaFolder", "tracing", "interactiveTransactions", "extendedWhereUnique",
    "fieldReference", "filteredRelationCount", "improvedQueryRaw", "jsonProtocol",
    "orderByNulls", "referentialIntegrity", "referentialActions", "namedConstraints", "mongoDb",
    "microsoftSqlServer", "cockroachdb", "extendedIndexes", "dataProxy", "clientExtensions",
    "deno", "distinct", "connectOrCreate", "createMany", "groupBy", "napi", "nApi",
    "orderByAggregateGroup", "orderByRelation", "selectRelationCount", "uncheckedScalarInputs",
    "transactionApi", "atomicNumberOperations", "middlewares", "filterJson", "nativeTypes",
    "queryCompiler",
}


# Prisma accepts MongoDB, but no FastBackend server can serve it (both speak SQL through
# SQLAlchemy or Prisma Client's SQL drivers), and its many-to-many id arrays have no honest IR:
# one clear refusal rather than a wrong database.
MONGODB_REFUSED = ("MongoDB is not supported: FastBackend serves relational databases "
                   "(PostgreSQL, SQLite, MySQL, SQL Server, CockroachDB) and has no MongoDB "
                   "runtime. Use a relational provider.")


def check(schema: ast.Schema, symbols: SymbolTable) -> list[Problem]:
    problems: list[Problem] = []
    for extra in _extra_datasources(symbols):
        problems.append(Problem(extra.span, "FB211", "You defined more than one datasource. "
                                "This is not allowed yet because support for multiple databases "
                                "has not been implemented yet."))
    for block in symbols.datasources:
        problems += _datasource(block) + _extensions(block, symbols)
    for block in symbols.generators:
        problems += _generator(block)
    return problems


def _extra_datasources(symbols: SymbolTable) -> list[ast.Block]:
    """Every datasource of a file that holds more than one (Prisma reports them all). Prisma
    counts per file: in a multi-file schema two files may each hold one, and the first (in file
    order) is used."""
    files = [block.span.file for block in symbols.datasources]
    return [block for block in symbols.datasources if files.count(block.span.file) > 1]


def _empty_values(block: ast.Block) -> list[Problem]:
    # Prisma reports these at the block's first line.
    return [Problem(block.span, "FB211", f"Property {e.key} in {block.kind} {block.name} needs "
                    "to be assigned a value") for e in block.entries if e.value is None]


def _duplicates(block: ast.Block) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for entry in block.entries:
        if entry.key in seen:
            problems.append(Problem(entry.span, "FB211", f"Key \"{entry.key}\" is already "
                                    f"defined in {block.kind} \"{block.name}\"."))
        seen.add(entry.key)
    return problems


def _extensions(block: ast.Block, symbols: SymbolTable) -> list[Problem]:
    entry = next((e for e in block.entries if e.key == "extensions"), None)
    if entry is None:
        return []
    if symbols.provider != "postgresql":
        return [Problem(entry.span, "FB211", "Property not known: \"extensions\".")]
    if "postgresqlExtensions" not in symbols.preview_features:
        return [Problem(entry.span, "FB211", "The `extensions` property is only available with "
                        "the `postgresqlExtensions` preview feature.")]
    items = entry.value.items if isinstance(entry.value, ast.ArrayValue) else ()
    return [Problem(argument.span, "FB211", f"The extension argument `{argument.name}` is not "
                    "known; use `version`, `map` or `schema`.")
            for item in items if isinstance(item, ast.FunctionValue)
            for argument in item.arguments if argument.name not in _EXTENSION_ARGUMENTS]


def _string_or_env(value: ast.Expression) -> bool:
    """`"postgresql://..."` or `env("DATABASE_URL")`."""
    if isinstance(value, ast.StringValue):
        return True
    return (isinstance(value, ast.FunctionValue) and value.name == "env"
            and len(value.arguments) == 1
            and isinstance(value.arguments[0].value, ast.StringValue))


def _datasource(block: ast.Block) -> list[Problem]:
    where = f"Error validating datasource `{block.name}`: "
    problems = _empty_values(block) + _duplicates(block)
    entries = {e.key: e for e in block.entries}
    for entry in block.entries:
        if entry.key not in DATASOURCE_KEYS:
            problems.append(Problem(entry.span, "FB211", f"Property not known: \"{entry.key}\"."))
    for key in ("url", "directUrl", "shadowDatabaseUrl"):
        url = entries.get(key)
        if url is not None and url.value is not None and not _string_or_env(url.value):
            problems.append(Problem(url.value.span, "FB211", "Expected a String value, but "
                                    "received another kind of value."))
    provider = entries.get("provider")
    if provider is None:
        problems.append(Problem(block.name_span, "FB211",
                                where + "The `provider` argument is missing."))
    elif provider.value is not None and not (isinstance(provider.value, ast.StringValue)
                                             and provider.value.value in PROVIDERS):
        problems.append(Problem(provider.span, "FB211", where + "The provider must be one of "
                                + ", ".join(f'"{p}"' for p in PROVIDERS) + "."))
    if provider is not None and isinstance(provider.value, ast.StringValue) and (
            provider.value.value == "mongodb"):
        problems.append(Problem(provider.value.span, "FB222", MONGODB_REFUSED))
    mode = entries.get("relationMode") or entries.get("referentialIntegrity")
    if mode is not None and not (isinstance(mode.value, ast.StringValue)
                                 and mode.value.value in RELATION_MODES):
        problems.append(Problem(block.span, "FB211", where + "Invalid relation mode setting: "
                                "expected \"prisma\" or \"foreignKeys\"."))
    return problems


def _generator(block: ast.Block) -> list[Problem]:
    problems = _empty_values(block) + _duplicates(block) + _preview_features(block)
    if not any(e.key == "provider" for e in block.entries):
        problems.append(Problem(block.name_span, "FB211",
                                f"Argument \"provider\" is missing in generator block "
                                f"\"{block.name}\"."))
    return problems


def _preview_features(block: ast.Block) -> list[Problem]:
    entry = next((e for e in block.entries if e.key == "previewFeatures"), None)
    if entry is None or not isinstance(entry.value, ast.ArrayValue):
        return []
    names = [item.value for item in entry.value.items if isinstance(item, ast.StringValue)]
    unknown = [Problem(entry.span, "FB211", f"The preview feature \"{name}\" is not known.")
               for name in names
               if name not in CURRENT_PREVIEW_FEATURES | RETIRED_PREVIEW_FEATURES]
    retired = [Problem(entry.span, "FB221", f"Preview feature \"{name}\" is deprecated. The "
                       "functionality can be used without specifying it as a preview feature.",
                       warning=True)
               for name in names if name in RETIRED_PREVIEW_FEATURES]
    return unknown + retired
