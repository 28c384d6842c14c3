"""One before/after case per rule in the catalogue (test_rules.py checks that all are here)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.diff.irs import Case, Doc, Edit, entity, field, golden, relation, reverse

NOTE = {"table": "notes", "fields": [{"name": "id", "column": "id", "type": "integer",
                                      "primaryKey": True}],
        "api": {"path": "/notes", "singular": "Note", "plural": "Notes", "key": ["id"]}}


def put_entity(name: str, key: str, value: Any) -> Edit:
    def edit(document: Doc) -> None:
        entity(document, name)[key] = value
    return edit


def put_api(name: str, key: str, value: Any) -> Edit:
    def edit(document: Doc) -> None:
        entity(document, name)["api"][key] = value
    return edit


def put_field(name: str, field_name: str, key: str, value: Any) -> Edit:
    def edit(document: Doc) -> None:
        if value is None:
            del field(document, name, field_name)[key]
        else:
            field(document, name, field_name)[key] = value
    return edit


def put_db(name: str, field_name: str, key: str, value: Any) -> Edit:
    def edit(document: Doc) -> None:
        field(document, name, field_name).setdefault("db", {"type": "VARCHAR"})[key] = value
    return edit


def put_field_api(name: str, field_name: str, key: str, value: bool) -> Edit:
    def edit(document: Doc) -> None:
        flags = field(document, name, field_name).setdefault("api", {})
        if value:
            flags[key] = True
        else:
            flags.pop(key, None)
    return edit


def add_field(name: str, spec: Doc) -> Edit:
    def edit(document: Doc) -> None:
        entity(document, name)["fields"].append(dict(spec))
    return edit


def both(*edits: Edit) -> Edit:
    def edit(document: Doc) -> None:
        for each in edits:
            each(document)
    return edit


def rename_tag_entity(document: Doc) -> None:
    document["entities"]["Label"] = document["entities"].pop("Tag")
    relation(document, "Post", "tags")["target"] = "Label"
    document["joinTables"]["post_tags"]["columns"][1]["references"]["entity"] = "Label"


def rename_status_enum(document: Doc) -> None:
    document["enums"]["Status"] = document["enums"].pop("PostStatus")
    field(document, "Post", "status")["enum"] = "Status"


def put_enum_values(*values: Doc) -> Edit:
    def edit(document: Doc) -> None:
        document["enums"]["PostStatus"]["values"] = list(values)
    return edit


def put_join(key: str, value: Any, column: int | None = None) -> Edit:
    def edit(document: Doc) -> None:
        table = document["joinTables"]["post_tags"]
        target = table if column is None else table["columns"][column]
        if value is None:
            del target[key]
        else:
            target[key] = value
    return edit


def add_join_column(document: Doc) -> None:
    document["joinTables"]["post_tags"]["columns"].append(
        {"name": "added_by", "references": {"entity": "User", "field": "id"}})


def add_thread_relation(document: Doc) -> None:
    # A second, one-sided relation over the same foreign key as Comment.post.
    thread = {**relation(document, "Comment", "post"), "name": "thread", "path": "thread"}
    del thread["inverse"]
    entity(document, "Comment")["relations"].append(thread)


def add_join_table(document: Doc) -> None:
    document["joinTables"]["tag_aliases"] = {"table": "tag_aliases", "columns": [
        {"name": "tag_id", "references": {"entity": "Tag", "field": "id"}},
        {"name": "alias_id", "references": {"entity": "Tag", "field": "id"}}]}


VIEWS = {"name": "views", "column": "views", "type": "integer", "nullable": True}
PRICE: Doc = {"name": "price", "column": "price", "type": "decimal", "nullable": True,
         "db": {"type": "NUMERIC", "precision": 10, "scale": 2}}
OWNER = {"name": "owner_id", "column": "owner_id", "type": "integer", "nullable": True}
OWNER_FK = {"fields": ["owner_id"], "references": {"entity": "User", "fields": ["id"]}}
CHECK = {"name": "ck_title", "expression": "length(title) > 0"}
TAG = "/entities/Tag"
NAME = f"{TAG}/fields/1"
STATUS = "/entities/Post/fields/3"
ENUM = "/enums/PostStatus"
DRAFT, PUBLISHED, ARCHIVED = ({"name": n} for n in ("draft", "published", "archived"))
JOIN = "/joinTables/post_tags"

ADDED_ENTITY = Case("entity-added", lambda d: d["entities"].__setitem__("Note", NOTE),
                    "/entities/Note", "entity Note added (table notes)")
ADDED_OPTIONAL = Case("field-added-optional", add_field("Tag", {
    "name": "slug", "column": "slug", "type": "string", "nullable": True}), f"{TAG}/fields/2",
    "Tag.slug added (string, optional)")
ADDED_OPERATION = Case("operation-added", lambda d: None, f"{TAG}/api",
                       "/tags: operation delete added",
                       base=put_api("Tag", "operations",
                                    ["list", "create", "read", "update", "replace"]))
WRITE_ONLY = Case("field-write-only-added", put_field_api("User", "email", "writeOnly", True),
                  "/entities/User/fields/1", "User.email: now write-only")
HIDDEN = Case("field-hidden-added", put_field_api("User", "email", "hidden", True),
              "/entities/User/fields/1", "User.email: now hidden")
CHECK_ADDED = Case("check-added", put_entity("Post", "checks", [CHECK]), "/entities/Post/checks/0",
                   "check 'length(title) > 0' added")
FK_ADDED = Case("foreign-key-added", both(add_field("Tag", OWNER),
                                          put_entity("Tag", "foreignKeys", [OWNER_FK])),
                f"{TAG}/foreignKeys/0", "foreign key (owner_id) -> User(id) added",
                base=add_field("Tag", OWNER))
RELATION_ADDED = Case("relation-added", add_thread_relation, "/entities/Comment/relations/4",
                      "Comment.thread added (manyToOne Post)")
COLOR = {"values": [{"name": "red"}]}
ENUM_ADDED = Case("enum-added", lambda d: d["enums"].__setitem__("Color", COLOR), "/enums/Color",
                  "enum Color added")
JOIN_ADDED = Case("join-table-added", add_join_table, "/joinTables/tag_aliases",
                  "join table tag_aliases added")
JOIN_COLUMN_ADDED = Case("join-table-column-added", add_join_column, f"{JOIN}/columns/2",
                         "column added_by added")
VALUE_ADDED = Case("enum-value-added",
                   put_enum_values(DRAFT, PUBLISHED, ARCHIVED, {"name": "hidden"}),
                   f"{ENUM}/values/3", "value hidden added")

def drop_route(name: str, operation_id: str) -> Edit:
    def edit(document: Doc) -> None:
        routes = entity(document, name)["routes"]
        entity(document, name)["routes"] = [r for r in routes if r["operationId"] != operation_id]
    return edit


def put_roles(name: str, field_name: str, change: Callable[[Doc], None]) -> Edit:
    def edit(document: Doc) -> None:
        change(field(document, name, field_name)["roles"])
    return edit


def _narrowed(roles: Doc) -> None:
    roles["operators"] = [op for op in roles["operators"] if op != "contains"]
    roles.pop("sortable", None)


def route_pointer(name: str, operation_id: str) -> str:
    """Where the golden IR records a route (its index moves when a route action is added)."""
    routes = entity(golden(), name)["routes"]
    index = next(i for i, r in enumerate(routes) if r["operationId"] == operation_id)
    return f"/entities/{name}/routes/{index}"


def rename_operation(name: str, operation_id: str, new_id: str) -> Edit:
    def edit(document: Doc) -> None:
        for route in entity(document, name)["routes"]:
            if route["operationId"] == operation_id:
                route["operationId"] = new_id
    return edit


# Edits of the recorded contract alone: the model's facts that decide it are unchanged.
ROUTE_REMOVED = Case("route-removed", drop_route("Post", "listPostComments"),
                     route_pointer("Post", "listPostComments"),
                     "GET /posts/{key}/comments (listPostComments) no longer served",
                     side="base", recorded=True)
NARROWED = Case("field-contract-narrowed", put_roles("Post", "title", _narrowed),
                "/entities/Post/fields/1", "Post.title: no longer sortable, operators contains "
                "removed", recorded=True)



# The events (IR 1.4+): a webhook for Post's creates, Post's realtime feed and its image table.
HOOK = {"kind": "webhook", "url": "https://hooks.example.com/blog"}
EVENTS: Doc = {"destinations": {"hooks": HOOK}, "entities": {"Post": {"create": ["hooks"]}},
               "realtime": ["Post"], "imageTables": {"Post": "fastbackend_image_posts"}}


def events(*changes: Callable[[Doc], None]) -> Edit:
    """The golden IR with EVENTS, then ``changes`` made to its ``events``."""
    def edit(document: Doc) -> None:
        document["events"] = copy.deepcopy(EVENTS)
        for change in changes:
            change(document["events"])
    return edit


def _add_audit(spec: Doc) -> None:
    spec["destinations"]["audit"] = {"kind": "redis", "url": "redis://localhost", "stream": "a"}


def _tag_feed(spec: Doc) -> None:
    spec["realtime"].append("Tag")
    spec["imageTables"]["Tag"] = "fastbackend_image_tags"


DESTINATION_ADDED = Case("event-destination-added", events(_add_audit),
                         "/events/destinations/audit", "event destination audit (redis) added",
                         base=events())
EVENT_ROUTE_ADDED = Case("event-route-added", events(
    lambda spec: spec["entities"]["Post"].__setitem__("update", ["hooks"])),
    "/events/entities/Post/update/0", "Post update events now sent to hooks", base=events())
REALTIME_ADDED = Case("realtime-added", events(_tag_feed), "/events/realtime/1",
                      "Tag: realtime feed added (GET .../changes, image table "
                      "fastbackend_image_tags)", base=events())
RETENTION_REDUCED = Case("realtime-retention-reduced", events(
    lambda spec: spec.__setitem__("retentionRows", 1000)), "/events",
    "realtime retention reduced: 86400s, unlimited rows -> 86400s, 1000 rows", base=events())
EVENT_CASES: list[Case] = [
    DESTINATION_ADDED,
    reverse("event-destination-removed", DESTINATION_ADDED,
            "event destination audit (redis) removed: its deliveries stop"),
    Case("event-destination-changed", events(lambda spec: spec["destinations"]["hooks"].update(
        url="https://hooks.example.net/blog", secretEnv="HOOK_SECRET")),
        "/events/destinations/hooks", "event destination hooks: url, secret_env changed",
        base=events()),
    EVENT_ROUTE_ADDED,
    reverse("event-route-removed", EVENT_ROUTE_ADDED,
            "Post update events no longer sent to hooks"),
    Case("event-delivery-changed", events(lambda spec: spec.__setitem__("maxAttempts", 3)),
         "/events", "(10, 1.0, 300.0) -> (3, 1.0, 300.0)", base=events()),
    REALTIME_ADDED,
    reverse("realtime-removed", REALTIME_ADDED,
            "Tag: realtime feed removed (GET .../changes no longer served)"),
    Case("realtime-image-table-changed", events(lambda spec: spec["imageTables"].__setitem__(
        "Post", "fastbackend_image_articles")), "/events/imageTables/Post",
        "Post: feed image table fastbackend_image_posts -> fastbackend_image_articles",
        base=events()),
    Case("realtime-heartbeat-changed", events(
        lambda spec: spec.__setitem__("heartbeatSeconds", 30)), "/events",
        "realtime heartbeat 15s -> 30s", base=events()),
    RETENTION_REDUCED,
    reverse("realtime-retention-extended", RETENTION_REDUCED,
            "realtime retention extended: 86400s, 1000 rows -> 86400s, unlimited rows", "head"),
]


CASES: list[Case] = [
    # Entities and the REST surface
    ADDED_ENTITY,
    reverse("entity-removed", ADDED_ENTITY, "entity Note removed (table notes)"),
    Case("entity-renamed", rename_tag_entity, "/entities/Label",
         "entity Tag renamed to Label (table tags kept)"),
    Case("entity-table-renamed", put_entity("Tag", "table", "labels"), TAG, "table tags -> labels"),
    Case("entity-kind-changed", put_entity("Tag", "kind", "view"), TAG, "table -> view"),
    Case("inheritance-changed", put_entity("Tag", "inheritance", {"strategy": "single"}), TAG,
         "inheritance changed"),
    Case("primary-key-changed", put_entity("Tag", "primaryKey", {"fields": ["id", "name"]}), TAG,
         "primary key (id) -> (id, name)"),
    Case("api-path-changed", put_api("Tag", "path", "/labels"), f"{TAG}/api",
         "path /tags -> /labels"),
    Case("api-key-changed", put_api("Tag", "key", ["name"]), f"{TAG}/api",
         "item key (id) -> (name)"),
    Case("api-name-changed", put_api("Tag", "singular", "Label"), f"{TAG}/api",
         "API names Tag/Tags -> Label/Tags"),
    reverse("operation-removed", ADDED_OPERATION, "/tags: operation delete removed", "head"),
    ADDED_OPERATION,
    ROUTE_REMOVED,
    reverse("route-added", ROUTE_REMOVED,
            "GET /posts/{key}/comments (listPostComments) now served", "head"),
    Case("route-operation-id-changed", rename_operation("Post", "deletePost", "removePost"),
         route_pointer("Post", "deletePost"),
        "DELETE /posts/{key}: operation id deletePost -> removePost", recorded=True),
    NARROWED,
    reverse("field-contract-widened", NARROWED,
            "Post.title: now sortable, operators contains added", "head"),
    Case("description-changed", put_entity("Tag", "description", "A label."), TAG,
         "entity Tag: description changed"),
    Case("database-provider-changed", lambda d: d.__setitem__("database", {"provider": "sqlite"}),
         "/database", "database provider unset -> sqlite"),
    # Fields
    Case("field-added-required", add_field("Tag", {"name": "slug", "column": "slug",
                                                   "type": "string"}),
         f"{TAG}/fields/2", "Tag.slug added (string, required on create, no database default)"),
    Case("field-added-without-db-default", add_field("Tag", {
        "name": "slug", "column": "slug", "type": "string",
        "default": {"kind": "literal", "value": "x"}}), f"{TAG}/fields/2",
        "Tag.slug added (string, NOT NULL without a database default)"),
    ADDED_OPTIONAL,
    reverse("field-removed", ADDED_OPTIONAL, "Tag.slug removed (column slug)"),
    Case("field-renamed", put_field("Tag", "name", "name", "label"), NAME,
         "Tag.name renamed to label (column name kept)"),
    Case("field-column-renamed", put_field("Tag", "name", "column", "label"), NAME,
         "Tag.name: column renamed name -> label"),
    Case("field-type-changed", both(put_field("Tag", "name", "type", "integer"),
                                    put_field("Tag", "name", "db", None)), NAME,
         "Tag.name: type changed from string to integer"),
    Case("field-type-widened", add_field("Tag", {**VIEWS, "type": "bigint"}), f"{TAG}/fields/2",
         "Tag.views: type widened from integer to bigint", base=add_field("Tag", VIEWS)),
    Case("field-length-reduced", put_db("Post", "title", "length", 100), "/entities/Post/fields/1",
         "Post.title: length 200 -> 100 (reduced)"),
    Case("field-length-increased", put_db("Post", "title", "length", 300),
         "/entities/Post/fields/1", "Post.title: length 200 -> 300 (increased)"),
    Case("field-precision-reduced", add_field("Tag", {**PRICE, "db": {**PRICE["db"], "scale": 1}}),
         f"{TAG}/fields/2", "Tag.price: scale 2 -> 1 (reduced)", base=add_field("Tag", PRICE)),
    Case("field-precision-increased", add_field("Tag", {**PRICE, "db": {
        **PRICE["db"], "precision": 12}}), f"{TAG}/fields/2",
        "Tag.price: precision 10 -> 12 (increased)", base=add_field("Tag", PRICE)),
    Case("field-db-type-changed", put_db("Post", "published_at", "timezone", False),
         "/entities/Post/fields/5",
         "database type changed from TIMESTAMP WITH TIME ZONE to TIMESTAMP"),
    Case("field-made-required", put_field("User", "name", "nullable", None),
         "/entities/User/fields/2", "User.name: nullable -> required"),
    Case("field-made-nullable", put_field("Tag", "name", "nullable", True), NAME,
         "Tag.name: required -> nullable"),
    Case("field-default-added", put_field("Tag", "name", "default",
                                          {"kind": "literal", "value": "x"}),
         NAME, "Tag.name: default none -> 'x'"),
    Case("field-default-removed", lambda d: None, "/entities/User/fields/2",
         "User.name: default 'anon' -> none",
         base=put_field("User", "name", "default", {"kind": "literal", "value": "anon"})),
    Case("field-default-removed-required", put_field("Post", "status", "default", None), STATUS,
         "Post.status: default 'draft' (server) -> none"),
    Case("field-default-changed", put_field("Post", "status", "default", {
        "kind": "literal", "value": "published", "server": True}), STATUS,
        "default 'draft' (server) -> 'published' (server)"),
    Case("field-unique-added", put_field("User", "name", "unique", True),
         "/entities/User/fields/2", "User.name: now unique"),
    Case("field-unique-removed", put_field("Tag", "name", "unique", None), NAME,
         "Tag.name: no longer unique", side="base"),
    Case("field-read-only-added", put_field_api("Tag", "name", "readOnly", True), NAME,
         "Tag.name: now read-only"),
    Case("field-read-only-removed", put_field_api("Tag", "id", "readOnly", False),
         f"{TAG}/fields/0", "Tag.id: no longer read-only"),
    WRITE_ONLY,
    reverse("field-write-only-removed", WRITE_ONLY, "User.email: no longer write-only", "head"),
    HIDDEN,
    reverse("field-hidden-removed", HIDDEN, "User.email: no longer hidden", "head"),
    Case("field-autoincrement-changed", put_field("Tag", "id", "autoincrement", None),
         f"{TAG}/fields/0", "Tag.id: autoincrement True -> False"),
    Case("field-updated-at-changed", put_field("Post", "updated_at", "updatedAt", None),
         "/entities/Post/fields/7", "Post.updated_at: updatedAt True -> False"),
    # Constraints and indexes
    Case("unique-added", put_entity("Comment", "uniques", [{"fields": ["post_id", "author_id"]}]),
         "/entities/Comment/uniques/0", "unique (post_id, author_id) added"),
    Case("unique-removed", lambda d: entity(d, "Post").pop("uniques"), "/entities/Post/uniques/0",
         "unique (author_id, title) removed", side="base"),
    Case("index-added", put_entity("Comment", "indexes", [
        {"name": "ix_comments_post_id", "fields": [{"field": "post_id"}]}]),
        "/entities/Comment/indexes/0", "index ix_comments_post_id (post_id) added"),
    Case("index-removed", lambda d: entity(d, "Post").pop("indexes"), "/entities/Post/indexes/0",
         "index ix_posts_status (status) removed", side="base"),
    Case("index-changed", lambda d: entity(d, "Post")["indexes"][0].__setitem__(
        "where", "status <> 'archived'"), "/entities/Post/indexes/0",
        "index ix_posts_status (status) changed"),
    CHECK_ADDED,
    reverse("check-removed", CHECK_ADDED, "check 'length(title) > 0' removed"),
    Case("check-changed", put_entity("Post", "checks", [{**CHECK, "expression": "title <> ''"}]),
         "/entities/Post/checks/0", "check ck_title: 'length(title) > 0' -> \"title <> ''\"",
         base=put_entity("Post", "checks", [CHECK])),
    FK_ADDED,
    reverse("foreign-key-removed", FK_ADDED, "foreign key (owner_id) -> User(id) removed"),
    Case("foreign-key-target-changed", lambda d: entity(d, "Comment")["foreignKeys"][2][
        "references"].__setitem__("entity", "Post"), "/entities/Comment/foreignKeys/2",
        "foreign key (parent_id) -> Comment(id) now -> Post(id)"),
    Case("foreign-key-action-changed", lambda d: entity(d, "Post")["foreignKeys"][0].__setitem__(
        "onDelete", "restrict"), "/entities/Post/foreignKeys/0",
        "foreign key (author_id) ON DELETE cascade -> restrict"),
    # Relations
    RELATION_ADDED,
    reverse("relation-removed", RELATION_ADDED, "Comment.thread removed (manyToOne Post)"),
    Case("relation-kind-changed", lambda d: relation(d, "Comment", "parent").__setitem__(
        "kind", "oneToOne"), "/entities/Comment/relations/2",
        "Comment.parent: kind manyToOne -> oneToOne"),
    Case("relation-target-changed", lambda d: relation(d, "Comment", "author").__setitem__(
        "target", "Post"), "/entities/Comment/relations/1", "Comment.author: target User -> Post"),
    Case("relation-path-changed", lambda d: relation(d, "Post", "comments").__setitem__(
        "path", "remarks"), "/entities/Post/relations/1",
        "Post.comments: path comments -> remarks"),
    # Enums
    ENUM_ADDED,
    reverse("enum-removed", ENUM_ADDED, "enum Color removed"),
    Case("enum-renamed", rename_status_enum, "/enums/Status",
         "enum PostStatus renamed to Status (database type post_status kept)"),
    Case("enum-db-renamed", lambda d: d["enums"]["PostStatus"].__setitem__("dbName", "status"),
         ENUM, "database type post_status -> status"),
    VALUE_ADDED,
    Case("enum-value-removed", put_enum_values(DRAFT, PUBLISHED), f"{ENUM}/values/2",
         "value archived removed", side="base"),
    Case("enum-value-renamed", put_enum_values({"name": "Draft", "dbName": "draft"}, PUBLISHED,
                                               ARCHIVED),
         f"{ENUM}/values/0", "value draft renamed to Draft (stored 'draft' kept)"),
    Case("enum-value-db-renamed", put_enum_values(DRAFT, PUBLISHED, {
        "name": "archived", "dbName": "ARCHIVED"}), f"{ENUM}/values/2",
        "stored value 'archived' -> 'ARCHIVED'"),
    Case("enum-values-reordered", put_enum_values(DRAFT, ARCHIVED, PUBLISHED), f"{ENUM}/values",
         "values reordered (draft, published, archived -> draft, archived, published)"),
    # Join tables
    JOIN_ADDED,
    reverse("join-table-removed", JOIN_ADDED, "join table tag_aliases (tag_id, alias_id) removed"),
    JOIN_COLUMN_ADDED,
    reverse("join-table-column-removed", JOIN_COLUMN_ADDED, "column added_by removed"),
    Case("join-table-column-changed", put_join("references", {"entity": "Post", "field": "id"}, 1),
         f"{JOIN}/columns/1", "column tag_id now references Post.id"),
    Case("join-table-action-changed", put_join("onDelete", "restrict", 0), f"{JOIN}/columns/0",
         "column post_id ON DELETE cascade -> restrict"),
    Case("join-table-key-changed", put_join("primaryKey", None), JOIN,
         "primary key, unique constraints or indexes changed"),
    *EVENT_CASES,
]
