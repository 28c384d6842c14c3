"""Typed IR nodes: frozen dataclasses mirroring schema/v1.json.

Attribute names are snake_case; the codec maps them to the schema's camelCase keys. Entities and
enums are keyed by name in JSON; their ``name`` attribute is filled from that key (``KEY``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from fastbackend_ir.types import JSONValue

KEY = {"key": True}

LogicalType: TypeAlias = Literal[
    "string", "integer", "bigint", "float", "decimal", "boolean", "datetime", "date", "time",
    "interval", "uuid", "json", "bytes", "enum", "unsupported",
]
ReferentialAction: TypeAlias = Literal["cascade", "restrict", "noAction", "setNull", "setDefault"]
RelationKind: TypeAlias = Literal["manyToOne", "oneToMany", "oneToOne", "manyToMany"]
Operation: TypeAlias = Literal["list", "create", "read", "update", "replace", "delete"]
GeneratorName: TypeAlias = Literal["now", "uuid4", "uuid7", "cuid", "cuid2", "nanoid", "ulid"]

ALL_OPERATIONS: tuple[Operation, ...] = ("list", "create", "read", "update", "replace", "delete")
# What a route does (IR 1.2): an entity's own routes, then the routes under one of its relations.
RouteAction: TypeAlias = Literal[
    "list", "query", "aggregate", "create", "bulkCreate", "bulkUpdate", "bulkDelete", "read",
    "restore",
    "update", "replace", "delete", "readRelated", "listRelated", "createRelated", "link", "unlink",
    "changes",
]
HttpMethod: TypeAlias = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
# Change events (IR 1.4): what a write did, and where its event goes.
EventOperation: TypeAlias = Literal["create", "update", "delete", "link", "unlink"]
DestinationKind: TypeAlias = Literal["webhook", "redis", "nats", "rabbitmq"]
EVENT_OPERATIONS: tuple[EventOperation, ...] = ("create", "update", "delete", "link", "unlink")


@dataclass(frozen=True)
class Source:
    language: Literal["sqlalchemy", "prisma"]
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Database:
    provider: str | None = None
    schemas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Server:
    url: str
    description: str | None = None


@dataclass(frozen=True)
class ApiInfo:
    """What the API says of itself (OpenAPI's info and servers)."""

    title: str
    version: str | None = None
    description: str | None = None
    servers: tuple[Server, ...] = ()


@dataclass(frozen=True)
class EnumValue:
    name: str
    db_name: str | None = None
    description: str | None = None

    @property
    def stored(self) -> str:
        return self.db_name if self.db_name is not None else self.name


@dataclass(frozen=True)
class Enum:
    name: str = field(metadata=KEY)
    values: tuple[EnumValue, ...] = ()
    db_name: str | None = None
    schema: str | None = None
    description: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class DbType:
    type: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    timezone: bool = False
    dialect: str | None = None
    raw: str | None = None


@dataclass(frozen=True)
class FieldApi:
    read_only: bool = False
    write_only: bool = False
    hidden: bool = False
    aggregate: bool = False  # declared groupable and aggregatable (IR 1.4: fastbackend.yaml)


@dataclass(frozen=True)
class FieldRoles:
    """What the REST contract lets a client do with a field (IR 1.2), decided by the compiler
    (fastbackend_ir.contract) so that no adapter works it out again."""

    readable: bool = False
    writable_on_create: bool = False
    writable_on_update: bool = False
    required_on_create: bool = False
    filterable: bool = False
    sortable: bool = False
    operators: tuple[str, ...] = ()  # the list-query operators, in the contract table's order
    # IR 1.4: may be named in an aggregate request's group_by (indexed, or declared), and the
    # aggregate functions that apply to it (the contract table's order; none when not allowed)
    groupable: bool = False
    aggregates: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiteralDefault:
    value: JSONValue
    server: bool = False
    kind: Literal["literal"] = "literal"


@dataclass(frozen=True)
class GeneratorDefault:
    name: GeneratorName
    args: tuple[int | str, ...] = ()
    server: bool = False
    kind: Literal["generator"] = "generator"


@dataclass(frozen=True)
class SqlDefault:
    expression: str
    kind: Literal["sql"] = "sql"


Default: TypeAlias = LiteralDefault | GeneratorDefault | SqlDefault


@dataclass(frozen=True)
class Field:
    name: str
    column: str
    type: LogicalType
    enum: str | None = None
    list: bool = False
    nullable: bool = False
    primary_key: bool = False
    autoincrement: bool = False
    unique: bool = False
    unique_name: str | None = None  # the name of the unique constraint `unique` makes (IR 1.1)
    default: Default | None = None
    updated_at: bool = False
    db: DbType | None = None
    api: FieldApi = FieldApi()
    description: str | None = None
    roles: FieldRoles | None = None  # IR 1.2; None in an older IR (fastbackend_ir.contract)


@dataclass(frozen=True)
class PrimaryKey:
    fields: tuple[str, ...]
    name: str | None = None


@dataclass(frozen=True)
class Unique:
    fields: tuple[str, ...]
    name: str | None = None


@dataclass(frozen=True)
class IndexField:
    field: str
    expression: bool = False
    sort: Literal["asc", "desc"] | None = None
    length: int | None = None
    ops: str | None = None


@dataclass(frozen=True)
class Index:
    fields: tuple[IndexField, ...]
    name: str | None = None
    unique: bool = False
    type: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class Check:
    expression: str
    name: str | None = None


@dataclass(frozen=True)
class References:
    entity: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    references: References
    name: str | None = None
    on_delete: ReferentialAction | None = None
    on_update: ReferentialAction | None = None


@dataclass(frozen=True)
class RelationForeignKey:
    entity: str
    fields: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(frozen=True)
class Relation:
    name: str
    target: str
    kind: RelationKind
    path: str
    nullable: bool = False
    inverse: str | None = None
    relation_name: str | None = None
    foreign_key: RelationForeignKey | None = None
    join_table: str | None = None
    join_columns: tuple[str, ...] = ()
    inverse_join_columns: tuple[str, ...] = ()
    description: str | None = None
    # IR 1.2: related rows are the target's rows whose remote_fields equal this row's
    # local_fields (for manyToMany, the fields the join table's columns reference)
    local_fields: tuple[str, ...] = ()
    remote_fields: tuple[str, ...] = ()
    # IR 1.2: the target is served (operations, a routable key), so the relation can be included,
    # filtered through and documented; None in an older IR (fastbackend_ir.contract completes it)
    exposed: bool | None = None

    @property
    def to_many(self) -> bool:
        return self.kind in ("oneToMany", "manyToMany")


@dataclass(frozen=True)
class Inheritance:
    strategy: Literal["single", "joined", "concrete"]
    parent: str | None = None
    discriminator: str | None = None
    identity: str | int | None = None


@dataclass(frozen=True)
class RateLimit:
    """A route's own rate-limit bucket (IR 1.8, fastbackend.yaml's
    `operations.rate_limit.routes`): its size and the seconds to refill it whole."""

    requests: int
    window_seconds: float


@dataclass(frozen=True)
class Route:
    """One generated route (IR 1.2): what every server serves and the OpenAPI documents."""

    action: RouteAction
    operation_id: str
    method: HttpMethod
    path: str  # `{key}` for the entity's key, `{target_key}` for a linked row's
    status: int  # the success status
    relation: str | None = None  # the relation a related/link route works on
    problems: tuple[str, ...] = ()  # problem type slugs it can answer (fastbackend_contract)
    rate_limit: RateLimit | None = None  # IR 1.8: its own bucket; None: the default policy


@dataclass(frozen=True)
class EntityApi:
    path: str
    singular: str
    plural: str
    key: tuple[str, ...]
    operations: tuple[Operation, ...] = ALL_OPERATIONS


@dataclass(frozen=True)
class Search:
    """Full-text search over some of an entity's text fields (IR 1.4), decided by the compiler
    from fastbackend.yaml: `index` names the search index (PostgreSQL's GIN index, SQLite's
    FTS5 table; its triggers are `{index}_ai`, `_ad`, `_au`), `language` the text search
    configuration (PostgreSQL's regconfig; SQLite's FTS5 tokenizes without one)."""

    fields: tuple[str, ...]
    index: str
    language: str = "english"


@dataclass(frozen=True)
class Entity:
    table: str
    fields: tuple[Field, ...]
    api: EntityApi
    name: str = field(default="", metadata=KEY)
    schema: str | None = None
    kind: Literal["table", "view"] = "table"
    description: str | None = None
    source: str | None = None
    primary_key: PrimaryKey | None = None
    uniques: tuple[Unique, ...] = ()
    indexes: tuple[Index, ...] = ()
    checks: tuple[Check, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    relations: tuple[Relation, ...] = ()
    inheritance: Inheritance | None = None
    routes: tuple[Route, ...] | None = None  # IR 1.2; None in an older IR (fastbackend_ir.contract)
    search: Search | None = None  # IR 1.4
    # IR 1.6: the nullable timestamp field DELETE stamps instead of removing the row; reads skip
    # stamped rows (docs/rest-api.md, "Soft delete")
    soft_delete: str | None = None

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"entity {self.name!r} has no field {name!r}")

    def relation(self, name: str) -> Relation:
        for candidate in self.relations:
            if candidate.name == name:
                return candidate
        raise KeyError(f"entity {self.name!r} has no relation {name!r}")


@dataclass(frozen=True)
class ColumnReference:
    entity: str
    field: str


@dataclass(frozen=True)
class JoinColumn:
    name: str
    references: ColumnReference
    on_delete: ReferentialAction | None = None
    on_update: ReferentialAction | None = None
    foreign_key_name: str | None = None  # IR 1.1


@dataclass(frozen=True)
class JoinTable:
    table: str
    columns: tuple[JoinColumn, ...]
    schema: str | None = None
    source: str | None = None
    primary_key: tuple[str, ...] = ()
    uniques: tuple[tuple[str, ...], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    # IR 1.1: the constraints' names, the uniques' and indexes' in their order
    primary_key_name: str | None = None
    unique_names: tuple[str, ...] = ()
    index_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventDestination:
    """Where events go (IR 1.4). Secrets and credentialed URLs are named by their environment
    variable (``secret_env``, ``url_env``), never written here; the runtime reads them."""

    name: str = field(metadata=KEY)
    kind: DestinationKind = "webhook"
    url: str | None = None
    url_env: str | None = None
    secret_env: str | None = None  # webhook: the whsec_ signing secret's variable
    stream: str | None = None  # redis
    subject: str | None = None  # nats (JetStream)
    exchange: str | None = None  # rabbitmq
    routing_key: str | None = None  # rabbitmq


@dataclass(frozen=True)
class Events:
    """fastbackend.yaml's `events`, decided (IR 1.4): per entity, per operation, the
    destinations its events go to, in declared order; delivery's retry policy."""

    destinations: dict[str, EventDestination] = field(default_factory=dict)
    entities: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    max_attempts: int = 10
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 300.0
    # The realtime feed (`GET {path}/changes`, Server-Sent Events): the entities that have one,
    # sorted, and the seconds between the stream's heartbeat comments.
    realtime: tuple[str, ...] = ()
    heartbeat_seconds: float = 15.0
    # How long, and how many, feed rows the servers keep (IR 1.7; docs/events.md "Retention").
    retention_seconds: float = 86400.0
    retention_rows: int | None = None
    # Per realtime entity, the table of its events' row images (IR 1.9; docs/events.md
    # "Realtime"): a feed row's id and every column of the row the event carries, which the
    # feed judges a subscriber's filters and row scope against.
    image_tables: dict[str, str] = field(default_factory=dict)

    def destinations_of(self, entity: str, operation: str) -> tuple[str, ...]:
        return self.entities.get(entity, {}).get(operation, ())


@dataclass(frozen=True)
class IR:
    ir_version: str
    source: Source
    entities: dict[str, Entity]
    enums: dict[str, Enum] = field(default_factory=dict)
    join_tables: dict[str, JoinTable] = field(default_factory=dict)
    database: Database | None = None
    api: ApiInfo | None = None
    events: Events | None = None  # IR 1.4

    def entity(self, name: str) -> Entity:
        try:
            return self.entities[name]
        except KeyError:
            raise KeyError(f"the IR has no entity {name!r}") from None
