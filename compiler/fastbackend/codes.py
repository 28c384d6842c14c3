"""The catalogue of diagnostic codes. Every code is documented in docs/diagnostics.md (tested).

Ranges: FB0xx general and source discovery, FB1xx SQLAlchemy front-end, FB2xx Prisma front-end,
FB3xx IR passes, FB4xx configuration. Front-ends add their codes here, with a one-line summary.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "FB001": "no schema found: no models.py, schema.prisma or fastbackend.yaml where one was expected",
    "FB002": "the source path does not exist",
    "FB003": "the source is not a kind of schema FastBackend reads",
    "FB004": "the source file cannot be read as UTF-8 text",
    "FB005": "the front-end for this source is not available",
    "FB006": "the compiled IR failed validation (a compiler bug: please report it)",
    "FB007": "two elements map to the same REST path",
    "FB008": "a .json source that is not a valid FastBackend IR (not JSON, wrong shape or irVersion)",
    "FB100": "SQLAlchemy models: the front-end failed on this input (a compiler bug: please report it)",
    "FB101": "SQLAlchemy models: a file that is not valid Python",
    "FB102": "SQLAlchemy models: a construct the front-end does not support (imperative mapping)",
    "FB103": "SQLAlchemy models: a value that only running the code could tell; left out of the IR",
    "FB104": "SQLAlchemy models: a column type the compiler does not know, recorded by name",
    "FB105": "SQLAlchemy models: a class, table or column name that does not resolve",
    "FB106": "SQLAlchemy models: a relationship whose foreign key or direction is ambiguous",
    "FB107": "SQLAlchemy models: a mapped class without a primary key",
    "FB108": "SQLAlchemy models: no mapped class in the source",
    "FB109": "SQLAlchemy models: two mapped classes with the same name, or mapping the same table",
    "FB110": "SQLAlchemy models: a mapped class without a table name",
    "FB111": "SQLAlchemy models: a Core table that no class maps (left out, with keys to it)",
    "FB112": "SQLAlchemy models: an association table's column that is not a foreign key",
    "FB113": "SQLAlchemy models: a relationship name that is not an identifier (left out)",
    "FB114": "SQLAlchemy models: autoincrement=True on a primary key column that is not an integer",
    "FB115": "SQLAlchemy models: a constraint or index name= longer than PostgreSQL's 63 bytes",
    "FB200": "Prisma schema: a line that is not valid syntax (Prisma's grammar is line-based)",
    "FB201": "Prisma schema: a string with an unknown escape sequence or a raw control character",
    "FB202": "Prisma schema: a field type that is no scalar, model, enum or composite type",
    "FB203": "Prisma schema: a duplicate model, enum, type or field name",
    "FB204": "Prisma schema: an unknown or repeated attribute",
    "FB205": "Prisma schema: invalid attribute arguments",
    "FB206": "Prisma schema: an invalid @default value or function",
    "FB207": "Prisma schema: a relation field without an opposite relation field",
    "FB208": "Prisma schema: an ambiguous relation (two relations need distinct names)",
    "FB209": "Prisma schema: invalid relation fields, references or referential actions",
    "FB210": "Prisma schema: a model without exactly one primary key or unique criterion",
    "FB211": "Prisma schema: an invalid datasource or generator block",
    "FB212": "Prisma schema: a reserved or invalid name",
    "FB213": "Prisma schema: an invalid field declaration (missing type, legacy syntax, optional list)",
    "FB214": "Prisma schema: a block attribute that names an unknown field",
    "FB215": "Prisma schema: a feature the datasource provider does not support",
    "FB216": "Prisma schema: a native type with the wrong prefix, unknown to the provider, or unfit",
    "FB217": "Prisma schema: a comment where comments are not allowed",
    "FB218": "Prisma schema: an invalid view",
    "FB219": "Prisma schema: an enum without values",
    "FB220": "Prisma schema: a missing or unlisted @@schema in a multi-schema datasource",
    "FB221": "Prisma schema (warning): deprecated settings, unindexed relation fields, SetNull risks",
    "FB222": "Prisma schema: a MongoDB datasource (FastBackend serves relational databases only)",
    "FB401": "fastbackend.yaml: an unknown key",
    "FB402": "fastbackend.yaml: a value of the wrong type or form",
    "FB403": "fastbackend.yaml: a ${VAR} that is neither in the environment nor in .env",
    "FB404": "fastbackend.yaml: not valid YAML",
    "FB405": "fastbackend.yaml: an auth dependency that cannot be imported",
    "FB406": "fastbackend.yaml: a model or field name that the schema does not have",
    "FB407": "fastbackend.yaml: a field role that cannot apply (a key field hidden or write-only)",
    "FB408": "fastbackend.yaml: an events destination or subscription that cannot work",
    "FB409": "fastbackend.yaml: a soft_delete field that is not a nullable timestamp of a table",
    "FB410": "fastbackend.yaml: a database provider the servers are not emitted for, or one the "
             "schema's datasource contradicts",
    "FB411": "fastbackend.yaml: a rate-limit route (operations.rate_limit.routes) the API does not "
             "serve",
}


def summary(code: str) -> str:
    return CODES[code]
