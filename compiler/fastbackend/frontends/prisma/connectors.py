"""What each datasource provider supports, as Prisma's connectors declare it (checked against the
engine). `None` is a schema without a datasource: Prisma validates it with the smallest set."""

from __future__ import annotations

INDEX_TYPES: dict[str | None, set[str]] = {
    "postgresql": {"BTree", "Hash", "Gist", "Gin", "SpGist", "Brin"},
    "cockroachdb": {"BTree", "Gin"},
}
DEFAULT_INDEX_TYPES = {"BTree"}
LENGTH_PROVIDERS = {"mysql"}
CLUSTERING_PROVIDERS = {"sqlserver"}
NO_NAMED_FOREIGN_KEYS = {None, "sqlite", "mongodb"}
PRIMARY_KEY_SORT_PROVIDERS = {"sqlserver"}
DEFAULT_NAME_PROVIDERS = {"sqlserver"}
FULLTEXT_PROVIDERS = {"mysql", "mongodb"}
# Native types a key cannot use: MySQL's text and blob types (unless the key gives a `length:`),
# SQL Server's heap-allocated types.
UNINDEXABLE_NATIVE_TYPES = {
    "mysql": {"Text", "LongText", "MediumText", "TinyText", "Blob", "TinyBlob", "MediumBlob",
              "LongBlob"},
    "sqlserver": {"Text", "NText", "Image", "Xml", "VarBinary(Max)", "VarChar(Max)",
                  "NVarChar(Max)"},
}


def index_types(provider: str | None) -> set[str]:
    return INDEX_TYPES.get(provider, DEFAULT_INDEX_TYPES) if provider else set()


# PostgreSQL operator classes Prisma knows by name (`ops: JsonbPathOps`), each checked against the
# engine; `raw("...")` names any other.
OPERATOR_CLASSES = {
    "ArrayOps", "BitMinMaxOps", "BpcharBloomOps", "BpcharMinMaxOps", "ByteaBloomOps",
    "ByteaMinMaxOps", "DateBloomOps", "DateMinMaxMultiOps", "DateMinMaxOps", "Float4BloomOps",
    "Float4MinMaxMultiOps", "Float4MinMaxOps", "Float8BloomOps", "Float8MinMaxMultiOps",
    "Float8MinMaxOps", "InetBloomOps", "InetInclusionOps", "InetMinMaxMultiOps",
    "InetMinMaxOps", "InetOps", "Int2BloomOps", "Int2MinMaxMultiOps", "Int2MinMaxOps",
    "Int4BloomOps", "Int4MinMaxMultiOps", "Int4MinMaxOps", "Int8BloomOps", "Int8MinMaxMultiOps",
    "Int8MinMaxOps", "JsonbOps", "JsonbPathOps", "NumericBloomOps", "NumericMinMaxMultiOps",
    "NumericMinMaxOps", "OidBloomOps", "OidMinMaxMultiOps", "OidMinMaxOps", "TextBloomOps",
    "TextMinMaxOps", "TextOps", "TimeBloomOps", "TimeMinMaxMultiOps", "TimeMinMaxOps",
    "TimeTzBloomOps", "TimeTzMinMaxMultiOps", "TimeTzMinMaxOps", "TimestampBloomOps",
    "TimestampMinMaxMultiOps", "TimestampMinMaxOps", "TimestampTzBloomOps",
    "TimestampTzMinMaxMultiOps", "TimestampTzMinMaxOps", "UuidBloomOps", "UuidMinMaxMultiOps",
    "UuidMinMaxOps", "VarBitMinMaxOps",
}
