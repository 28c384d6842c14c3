"""The rule catalogue: every kind of IR change ``fastbackend diff`` reports, as data.

Each rule carries two severities, one for API clients and one for the database, because a change
can be harmless for one and destructive for the other (a column renamed behind an unchanged API
name breaks nothing over HTTP but needs a migration). ``error`` breaks someone, ``warning`` may
break someone or needs care, ``info`` is worth seeing in a review.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Severity(IntEnum):
    """Ordered, so a threshold is a comparison."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            expected = "error, warning or info"
            raise ValueError(f"unknown severity {text!r}: expected {expected}") from None


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741 (compact table below)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    api: Severity
    db: Severity
    description: str


def _rules(*rows: tuple[str, str, Severity, Severity, str]) -> dict[str, Rule]:
    return {row[0]: Rule(*row) for row in rows}


RULES: dict[str, Rule] = _rules(
    # Entities and their REST surface
    ("entity-added", "Entity added", I, I, "A new model: a new table and new routes."),
    ("entity-removed", "Entity removed", E, E,
     "Its routes disappear and its table (with its data) is dropped."),
    ("entity-renamed", "Entity renamed, table kept", W, I,
     "The model name changed and its table did not: schema names and operation ids in "
     "generated clients change; the data stays."),
    ("entity-table-renamed", "Table renamed, entity kept", I, E,
     "The entity keeps its name but maps to another (schema-qualified) table: a migration must "
     "rename the table, or the old one and its data are dropped."),
    ("entity-kind-changed", "Table became a view or back", W, E,
     "Views are not writable the way tables are, and the database object is replaced."),
    ("inheritance-changed", "Inheritance changed", W, E,
     "The mapping strategy, parent or discriminator changed: rows move between tables."),
    ("primary-key-changed", "Primary key changed", W, E,
     "The primary key columns changed: a table rebuild, and row identities change."),
    ("api-path-changed", "API path changed", E, I, "Clients calling the old path get 404."),
    ("api-key-changed", "API item key changed", E, I,
     "The fields that identify an item in its URL changed: stored item URLs break."),
    ("api-name-changed", "API schema name changed", W, I,
     "The singular or plural API name changed: operation ids and schema names in generated "
     "clients change."),
    ("operation-removed", "Operation removed", E, I,
     "A route (list, create, read, update, replace or delete) is no longer served."),
    ("operation-added", "Operation added", I, I, "A new route is served."),
    ("route-removed", "Route removed", E, I,
     "A route the IR recorded is no longer served (its target is no longer served, or the "
     "contract changed), beyond a removed operation or relation: clients calling it get 404 "
     "or 405."),
    ("route-added", "Route added", I, I,
     "A route the IR records is newly served, beyond an added operation or relation."),
    ("route-operation-id-changed", "Operation id changed", W, I,
     "The same route under another operation id: generated clients name its method "
     "differently."),
    ("description-changed", "Description changed", I, I, "Documentation only."),
    ("database-provider-changed", "Database provider changed", I, E,
     "The database engine changed: the data must be migrated by hand."),
    # Fields
    ("field-added-required", "Required field added", E, E,
     "Creates without the field are rejected, and a NOT NULL column without a database default "
     "cannot be added to a table that has rows."),
    ("field-added-without-db-default", "NOT NULL field added without a database default", I, E,
     "The API fills it in, but existing rows have no value: adding the column fails on a "
     "table that has rows."),
    ("field-added-optional", "Optional field added", I, I,
     "Nullable, defaulted or read-only: nothing breaks."),
    ("field-removed", "Field removed", E, E,
     "Clients lose the field and the column (with its data) is dropped."),
    ("field-renamed", "Field renamed, column kept", E, I,
     "The API name changed and the column did not: clients break, the data stays."),
    ("field-column-renamed", "Column renamed, field kept", I, E,
     "The API is unchanged; a migration must rename the column or its data is lost."),
    ("field-type-changed", "Field type changed", E, E,
     "An incompatible type (or enum, or list-ness) change: clients and stored values break."),
    ("field-type-widened", "Field type widened", W, W,
     "A wider type (integer to bigint, an enum to a string, ...): old values fit, but clients "
     "may receive values they cannot hold, and the column is rewritten."),
    ("field-length-reduced", "Field length reduced", W, E,
     "Longer inputs are now rejected, and existing values may not fit the shorter column."),
    ("field-length-increased", "Field length increased", I, I, "Existing values still fit."),
    ("field-precision-reduced", "Field precision or scale reduced", W, E,
     "Existing values may be rounded or may not fit."),
    ("field-precision-increased", "Field precision or scale increased", I, I,
     "Existing values still fit."),
    ("field-db-type-changed", "Database type changed", I, W,
     "Same logical type, another column type (TEXT to VARCHAR, a time zone added or removed): "
     "the column is rewritten and values may be converted."),
    ("field-made-required", "Nullable field became required", E, W,
     "Clients sending null are rejected, and setting NOT NULL fails if rows hold NULL."),
    ("field-made-nullable", "Required field became nullable", W, I,
     "Responses may now contain null where clients never saw it."),
    ("field-default-added", "Default added", I, I, "Clients may now omit the field."),
    ("field-default-removed", "Default removed from a nullable field", W, I,
     "Omitting the field now stores null instead of the default."),
    ("field-default-removed-required", "Default removed from a required field", E, E,
     "Creates that omit the field are now rejected, and so are inserts by other writers."),
    ("field-default-changed", "Default changed", W, I,
     "Omitting the field now stores another value."),
    ("field-unique-added", "Field made unique", W, W,
     "Duplicate values are now rejected (409), and the constraint cannot be created while "
     "existing rows hold duplicates."),
    ("field-unique-removed", "Field no longer unique", I, I, "Duplicates are now accepted."),
    ("field-read-only-added", "Field became read-only", E, I,
     "Clients writing the field are rejected."),
    ("field-read-only-removed", "Field became writable", I, I, "Clients may now write it."),
    ("field-write-only-added", "Field became write-only", E, I,
     "The field disappears from responses and can no longer be filtered or sorted on."),
    ("field-write-only-removed", "Write-only field now returned", W, I,
     "A value that was never returned (a secret?) now appears in responses."),
    ("field-hidden-added", "Field hidden", E, I, "The field disappears from the API."),
    ("field-hidden-removed", "Hidden field exposed", W, I,
     "A value that was never exposed now appears in the API: check it is meant to be public."),
    ("field-contract-narrowed", "Field's REST roles narrowed", E, I,
     "The recorded roles changed with no other change of the field: it is no longer readable, "
     "writable, filterable or sortable, lost an operator, or became required on create."),
    ("field-contract-widened", "Field's REST roles widened", I, I,
     "The recorded roles changed with no other change of the field: it is newly readable, "
     "writable, filterable or sortable, gained an operator, or is no longer required on "
     "create."),
    ("field-autoincrement-changed", "Autoincrement changed", W, W,
     "Who assigns the value changed: clients may have to send it, or may no longer."),
    ("field-updated-at-changed", "Updated-at behaviour changed", W, I,
     "The field is set automatically on update, or no longer is."),
    # Constraints and indexes
    ("unique-added", "Unique constraint added", W, W,
     "Duplicate combinations are now rejected (409), and the constraint cannot be created "
     "while existing rows hold duplicates."),
    ("unique-removed", "Unique constraint removed", I, I, "Duplicates are now accepted."),
    ("index-added", "Index added", I, I, "Performance only (building it may lock the table)."),
    ("index-removed", "Index removed", I, I, "Performance only: queries may get slower."),
    ("index-changed", "Index changed", I, I, "Same index name, another definition."),
    ("check-added", "Check constraint added", W, W,
     "Writes that break it are rejected, and it cannot be created while rows break it."),
    ("check-removed", "Check constraint removed", I, I, "Values it rejected are now accepted."),
    ("check-changed", "Check constraint changed", W, W,
     "Same name, another expression: writes and existing rows may fail it."),
    ("foreign-key-added", "Foreign key added", W, W,
     "Writes referring to missing rows are rejected, and it cannot be created while rows "
     "refer to missing ones."),
    ("foreign-key-removed", "Foreign key removed", I, W,
     "The database no longer protects the reference: dangling rows become possible."),
    ("foreign-key-target-changed", "Foreign key target changed", W, E,
     "The same columns now refer to another table or columns."),
    ("foreign-key-action-changed", "Foreign key action changed", W, W,
     "ON DELETE / ON UPDATE changed: a delete may now cascade, be refused (409) or set NULL."),
    # Relations
    ("relation-added", "Relation added", I, I, "A new relation route and include."),
    ("relation-removed", "Relation removed", E, I,
     "Its route and its include= disappear for clients."),
    ("relation-kind-changed", "Relation kind changed", E, I,
     "One-to-many vs to-one changes the response shape (a list or an object)."),
    ("relation-target-changed", "Relation target changed", E, I,
     "The relation now returns another entity."),
    ("relation-path-changed", "Relation path changed", E, I,
     "Clients calling the old relation route get 404."),
    # Enums
    ("enum-added", "Enum added", I, I, "A new enum type."),
    ("enum-removed", "Enum removed", E, E, "The type and the values stored with it go away."),
    ("enum-renamed", "Enum renamed, database type kept", W, I,
     "Schema names in generated clients change; the database type stays."),
    ("enum-db-renamed", "Enum database type renamed", I, E,
     "The API is unchanged; a migration must rename the database type."),
    ("enum-value-added", "Enum value added", W, I,
     "Clients with an exhaustive switch over the values may meet one they do not know."),
    ("enum-value-removed", "Enum value removed", E, E,
     "Clients sending it are rejected and rows holding it no longer fit the type."),
    ("enum-value-renamed", "Enum value renamed, stored value kept", E, I,
     "Clients use the new name; the stored value is unchanged."),
    ("enum-value-db-renamed", "Enum stored value changed", I, E,
     "The API name is unchanged, but rows hold the old stored value: migrate them."),
    ("enum-values-reordered", "Enum values reordered", I, W,
     "Ordering by the enum (PostgreSQL sorts by declared order) changes."),
    # Join tables
    ("join-table-added", "Join table added", I, I, "A new many-to-many association table."),
    ("join-table-removed", "Join table removed", I, E,
     "The association table and its links are dropped."),
    ("join-table-column-added", "Join table column added", I, W,
     "Existing link rows have no value for it."),
    ("join-table-column-removed", "Join table column removed", I, E,
     "The column and its data are dropped."),
    ("join-table-column-changed", "Join table column target changed", I, E,
     "The column now refers to another entity or field."),
    ("join-table-action-changed", "Join table foreign key action changed", W, W,
     "Deleting a linked row now behaves differently."),
    ("join-table-key-changed", "Join table keys changed", I, W,
     "Its primary key, unique constraints or indexes changed: duplicate links may now be "
     "rejected or accepted."),
    # Change events and the realtime feed (the IR's events; docs/events.md). The API side
    # includes the events' consumers: a webhook receiver, a stream's readers, a feed's clients.
    ("event-destination-added", "Event destination added", I, I,
     "A new webhook, stream, subject or exchange events may be sent to."),
    ("event-destination-removed", "Event destination removed", E, I,
     "Deliveries to it stop, for every entity that sent events there: its consumer silently "
     "receives nothing more, like clients of a removed route."),
    ("event-destination-changed", "Event destination changed", W, I,
     "Its kind, URL (or URL variable), signing secret variable, stream, subject, exchange or "
     "routing key changed: events go elsewhere or are signed with another secret, so the "
     "consumer that received them may stop receiving or verifying them."),
    ("event-route-added", "Entity events sent to a destination", I, I,
     "An entity's create, update, delete, link or unlink events now go to a destination that "
     "already existed: its consumer receives a new event type."),
    ("event-route-removed", "Entity events no longer sent to a destination", E, I,
     "An entity's create, update, delete, link or unlink events no longer go to a destination "
     "that still exists: its consumer silently stops receiving them."),
    ("event-delivery-changed", "Event delivery retries changed", I, I,
     "maxAttempts, backoffSeconds or maxBackoffSeconds changed: a failing destination is "
     "retried for a shorter or longer time before its events are given up."),
    ("realtime-added", "Realtime feed added", I, I,
     "`GET {path}/changes` is newly served, with a new image table for its events' rows."),
    ("realtime-removed", "Realtime feed removed", E, I,
     "`GET {path}/changes` is no longer served: subscribed clients get 404 and lose the feed. "
     "The image table holds feed rows' images, not the model's data."),
    ("realtime-image-table-changed", "Feed image table renamed", I, W,
     "A realtime entity's image table (IR 1.9 `events.imageTables`) changed, usually with its "
     "table: the API is unchanged, but a migration must rename or create it, or events still "
     "in the feed lose their row images and a resuming client's filters are judged against "
     "the rows as they are now."),
    ("realtime-heartbeat-changed", "Feed heartbeat changed", I, I,
     "The seconds between the feed's heartbeat comments changed: a proxy or client idle "
     "timeout shorter than the new interval cuts quiet streams (they resume)."),
    ("realtime-retention-reduced", "Feed retention reduced", W, I,
     "Fewer seconds or rows of the feed are kept: a client away longer than the new window "
     "can no longer resume from its Last-Event-ID and must reload."),
    ("realtime-retention-extended", "Feed retention extended", I, I,
     "More seconds or rows of the feed are kept: clients resume after longer absences, and "
     "the outbox and image tables hold more rows."),
)


def rule(rule_id: str) -> Rule:
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"no diff rule {rule_id!r}") from None
