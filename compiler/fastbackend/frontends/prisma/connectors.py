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


def index_types(provider: str | None) -> set[str]:
    return INDEX_TYPES.get(provider, DEFAULT_INDEX_TYPES) if provider else set()
