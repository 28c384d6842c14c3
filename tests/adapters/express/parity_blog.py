"""The parity corpus of the blog IR (tests/golden/blog.ir.json): its seed rows, its values for
the generated cases, and the cases written out: where= combinators and relation quantifiers,
dot paths and relation routes, include/fields/sort/cursors, every write, every problem type.

The seed rows (``SEED``) are created through the API on both servers before the corpus runs, in
this order, so keys are the same on both. Writes come after the reads and undo themselves where
they can, so the order of the reads does not matter.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastbackend_ir import IR
from tests.adapters.express.parity_aggregates import aggregate_cases
from tests.adapters.express.parity_corpus import (
    MAX_BULK_ROWS,
    NO_BODY,
    Case,
    Seed,
    Values,
    field_cases,
)
from tests.adapters.express.parity_corpus import get as _get
from tests.adapters.express.parity_corpus import json_case as _json
from tests.adapters.express.parity_corpus import where as _where

# The seed, created in order on both servers before the corpus runs.
USERS = [
    {"email": "ann@x.io", "name": "Ann"},
    {"email": "bob@y.org", "name": "Bob"},
    {"email": "cy@x.io"},
    {"email": "d_e%@z.net", "name": "Dee O'Neil"},
    {"email": "EVE@X.IO", "name": "eve"},
]
POSTS = [
    {"author_id": 1, "title": "Alpha", "body": "first body", "status": "published",
     "published_at": "2024-01-01T10:00:00Z"},
    {"author_id": 1, "title": "beta", "body": "second"},
    {"author_id": 2, "title": "Gamma 50%", "body": "x_y", "status": "published",
     "published_at": "2024-03-01T00:00:00Z"},
    {"author_id": 2, "title": "alphabet soup", "body": "", "status": "archived"},
    {"author_id": 3, "title": "Delta", "body": "b", "published_at": "2024-02-01T12:30:00Z"},
    {"author_id": 4, "title": "ALPHA", "body": "c", "status": "published",
     "published_at": "2024-05-01T00:00:00+02:00"},
    {"author_id": 5, "title": "épée", "body": "d"},
    {"author_id": 1, "title": "Zeta", "body": "e", "status": "published",
     "published_at": "2024-01-01T10:00:00Z"},
]
COMMENTS = [
    {"post_id": 1, "author_id": 2, "body": "great post"},
    {"post_id": 1, "parent_id": 1, "body": "GREAT reply"},
    {"post_id": 1, "author_id": 3, "parent_id": 1, "body": "meh"},
    {"post_id": 3, "author_id": 1, "body": "bad"},
    {"post_id": 3, "author_id": 2, "body": "great"},
    {"post_id": 6, "body": "anonymous"},
]
TAGS = [{"name": "sql"}, {"name": "python"}, {"name": "SQL-advanced"}, {"name": "unused"}]
LINKS = [(1, 1), (1, 2), (3, 1), (6, 2), (6, 3), (8, 1), (8, 2), (8, 3)]
SEED: list[Seed] = [
    *[Seed("/users", row) for row in USERS],
    *[Seed("/posts", row) for row in POSTS],
    *[Seed("/comments", row) for row in COMMENTS],
    *[Seed("/tags", row) for row in TAGS],
    *[Seed(f"/posts/{post}/tags/{tag}", method="PUT") for post, tag in LINKS],
]

# Two values of each field, taken from the seed (a value that matches some rows, and another).
POOL: dict[str, tuple[str, str]] = {
    "User.email": ("ann@x.io", "EVE@X.IO"), "User.name": ("Ann", "eve"),
    "Post.title": ("Alpha", "beta"), "Post.body": ("first body", "x_y"),
    "Post.status": ("published", "draft"),
    "Post.published_at": ("2024-01-01T10:00:00Z", "2024-03-01T00:00:00Z"),
    "Comment.body": ("great", "meh"), "Tag.name": ("sql", "SQL-advanced"),
}
BY_TYPE: dict[str, tuple[str, str]] = {
    "integer": ("2", "3"),
    # server-set timestamps differ between the servers: bounds that hold for every row
    "datetime": ("2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"),
}
BAD_VALUE = {"integer": "abc", "datetime": "yesterday", "enum": "nope", "string": None}

def _nested_not(depth: int) -> object:
    document: object = {"id": 1}
    for _ in range(depth):
        document = {"NOT": document}
    return document


def relation_cases() -> Iterator[Case]:
    """Dot paths, where= quantifiers and combinators, relation routes."""
    yield _get("author.email__endswith", "/posts", ("author.email__endswith", "@x.io"))
    yield _get("comments.body (some)", "/posts", ("comments.body", "great"))
    yield _get("tags.name (m2m some)", "/posts", ("tags.name", "sql"))
    yield _get("post.author.name (two steps)", "/comments", ("post.author.name", "Ann"))
    yield _get("author.name__isnull", "/posts", ("author.name__isnull", "true"))
    yield _get("comments.author.email__in", "/posts", ("comments.author.email__in", "bob@y.org,cy@x.io"))
    yield _get("id__in empty", "/posts", ("id__in", ""))
    yield _get("id__notin empty", "/posts", ("id__notin", ""))
    yield _get("title__in empty", "/posts", ("title__in", ""))
    yield _get("contains a literal %", "/posts", ("title__contains", "50%"))
    yield _get("contains a literal _", "/posts", ("body__contains", "_"))
    yield _get("contains a backslash", "/posts", ("title__contains", "\\"))
    yield _where("equals insensitive with wildcards", "/posts",
                 {"title": {"equals": "gamma _0%", "mode": "insensitive"}})
    yield _where("in insensitive with wildcards", "/posts",
                 {"title": {"in": ["gamma _0%", "zeta"], "mode": "insensitive"}})
    yield _where("not insensitive with wildcards", "/posts",
                 {"title": {"not": "gamma _0%", "mode": "insensitive"}})
    yield _where("startsWith with wildcards", "/posts", {"title": {"startsWith": "_"}})
    yield _get("startswith a literal %", "/users", ("email__startswith", "d_e%"))
    yield _get("icontains non-ASCII", "/posts", ("title__icontains", "ÉPÉE"))
    yield _get("eq non-ASCII", "/posts", ("title", "épée"))
    yield _get("id out of 32-bit range", "/posts", ("id", "99999999999"))
    yield _get("id with a fraction", "/posts", ("id", "1.5"))
    yield _get("datetime with offset", "/posts", ("published_at", "2024-05-01T00:00:00+02:00"))
    yield _get("datetime without offset", "/posts", ("published_at__gte", "2024-02-01T12:30:00"))
    yield _get("datetime date only", "/posts", ("published_at__lt", "2024-02-02"))
    yield _get("enum in with a bad value", "/posts", ("status__in", "draft,nope"))
    yield _get("nope.name (unknown relation)", "/posts", ("nope.name", "x"))
    wheres: list[tuple[str, str, object]] = [
        ("OR list", "/posts", {"OR": [{"title": {"contains": "lph"}}, {"status": "draft"}]}),
        ("OR object", "/posts", {"OR": {"id": 1}}),
        ("AND list", "/posts", {"AND": [{"author_id": 1}, {"status": "published"}]}),
        ("AND object", "/posts", {"AND": {"author_id": 2}}),
        ("NOT list", "/posts", {"NOT": [{"author_id": 1}, {"status": "published"}]}),
        ("NOT nested", "/posts", {"NOT": {"OR": [{"id": 1}, {"id": 2}]}}),
        ("OR empty", "/posts", {"OR": []}),
        ("AND empty", "/posts", {"AND": []}),
        ("empty", "/posts", {}),
        ("some", "/posts", {"comments": {"some": {"body": {"icontains": "great"}}}}),
        ("every", "/posts", {"comments": {"every": {"body": {"contains": "great"}}}}),
        ("none", "/posts", {"comments": {"none": {"body": "bad"}}}),
        ("every nullable", "/posts", {"comments": {"every": {"author_id": 2}}}),
        ("m2m some", "/posts", {"tags": {"some": {"name": {"startsWith": "s"}}}}),
        ("m2m every", "/posts", {"tags": {"every": {"name": {"in": ["sql", "python"]}}}}),
        ("m2m none", "/posts", {"tags": {"none": {"name": "python"}}}),
        ("is", "/posts", {"author": {"is": {"email": {"endswith": "@x.io"}}}}),
        ("isNot", "/posts", {"author": {"isNot": {"name": "Ann"}}}),
        ("to-one plain", "/posts", {"author": {"name": "Bob"}}),
        ("is null", "/comments", {"author": {"is": None}}),
        ("isNot null", "/comments", {"author": {"isNot": None}}),
        ("relation null", "/comments", {"author": None}),
        ("parent null", "/comments", {"parent": None}),
        ("NOT is", "/posts", {"NOT": {"author": {"is": {"email": {"endswith": "@spam.io"}}}}}),
        ("nested some", "/users", {"posts": {"some": {"comments": {"some": {"body": "great"}}}}}),
        ("to-many with is", "/posts", {"comments": {"is": {"body": "x"}}}),
        ("to-one with some", "/posts", {"author": {"some": {"name": "x"}}}),
        ("unknown field", "/posts", {"nope": 1}),
        ("unknown operator", "/posts", {"title": {"zz": 1}}),
        ("not an object", "/posts", [1, 2]),
        ("wrong value type", "/posts", {"id": "one"}),
        ("mode on integer", "/posts", {"id": {"equals": 1, "mode": "insensitive"}}),
        ("mode bad", "/posts", {"title": {"equals": "a", "mode": "loud"}}),
        ("in not a list", "/posts", {"id": {"in": 1}}),
        ("gt on enum", "/posts", {"status": {"gt": "draft"}}),
        ("enum bad value", "/posts", {"status": "nope"}),
        ("datetime bad", "/posts", {"published_at": {"gt": "soon"}}),
        ("datetime gte", "/posts", {"published_at": {"gte": "2024-02-01T12:30:00Z"}}),
        ("comments of post 1 via where", "/comments", {"post": {"id": 1}}),
        ("too deep", "/posts", _nested_not(11)),
        ("deep enough", "/posts", _nested_not(10)),
        ("id out of range", "/posts", {"id": 99999999999}),
        ("id a fraction", "/posts", {"id": 1.5}),
        ("id a boolean", "/posts", {"id": True}),
        ("isnull not boolean", "/posts", {"published_at": {"isnull": "yes"}}),
        ("relation is null on required", "/posts", {"author": None}),
        ("is null on required", "/posts", {"author": {"is": None}}),
        ("isNot null on required", "/posts", {"author": {"isNot": None}}),
        ("NOT is null on required", "/posts", {"NOT": {"author": {"is": None}}}),
        ("relation four deep", "/comments",
         {"post": {"author": {"posts": {"some": {"comments": {"some": {"body": "great"}}}}}}}),
        ("relation five deep", "/comments", {"post": {"author": {"posts": {"some": {
            "comments": {"some": {"author": {"name": "Bob"}}}}}}}}),
        ("AND and field", "/posts", {"AND": [{"status": "published"}], "author_id": 1}),
        ("OR of relation and NULL", "/comments", {"OR": [{"author": None}, {"author_id": 3}]}),
    ]
    for name, path, where in wheres:
        yield _where(f"where {name}", path, where)
    yield _get("where not JSON", "/posts", ("where", "{nope"))
    yield _get("to-many route", "/users/1/posts")
    yield _get("to-many route filtered", "/users/1/posts", ("status", "published"), ("sort", "-title"))
    yield _get("to-many route where", "/users/1/posts", ("where", '{"title": {"contains": "l"}}'))
    yield _get("m2m route", "/posts/1/tags")
    yield _get("m2m route sorted", "/posts/8/tags", ("sort", "-name"), ("limit", "2"))
    yield _get("m2m route inverse", "/tags/1/posts", ("fields", "id,title"))
    yield _get("to-one route", "/comments/1/post")
    yield _get("to-one route missing", "/comments/2/author")
    yield _get("to-one route owner missing", "/comments/99/post")
    yield _get("to-many route owner missing", "/users/99/posts")
    yield _get("self relation", "/comments/1/replies")
    yield _get("to-many route count none", "/users/1/posts", ("count", "none"))


def missing_related_sort_cases() -> Iterator[Case]:
    """Sort keys through an optional to-one relation (Comment.parent, whose body cannot be NULL;
    Comment.author, whose name can) where some comments have no related row: NULLs last
    ascending, first descending, as the first key and after a key of the comment's own whose
    groups (post 1: a comment without a parent, two with one) mix both, and after a key through
    a relation that every comment has (MySQL sorts NULLs first: lib/pages.ts)."""
    for sort in ("parent.body", "-parent.body", "post_id,parent.body", "post_id,-parent.body",
                 "-post_id,parent.body", "post_id,author.name", "post_id,-author.name",
                 "post_id,parent.author.name", "post.title,parent.body", "-post.title,-parent.body"):
        yield _get(f"sort missing related {sort}", "/comments", ("sort", sort))
    for sort in ("post_id,parent.body", "post_id,-parent.body"):
        for offset in ("1", "2", "4"):
            yield _get(f"page missing related {sort} offset={offset}", "/comments",
                       ("sort", sort), ("limit", "2"), ("offset", offset))
        first = f"cursor missing related {sort} 1"
        yield _get(first, "/comments", ("sort", sort), ("limit", "2"))
        yield _get(f"cursor missing related {sort} 2", "/comments", ("sort", sort),
                   ("limit", "2"), cursor_from=first)


def page_cases() -> Iterator[Case]:
    """sort, limit/offset, cursor walks, fields and include."""
    yield _get("sort two keys", "/posts", ("sort", "-status,title"))
    yield _get("sort relation", "/posts", ("sort", "author.name"))
    yield _get("sort relation desc", "/posts", ("sort", "-author.name,-id"))
    yield _get("sort to-many", "/posts", ("sort", "comments.body"))
    yield _get("sort twice", "/posts", ("sort", "title,-title"))
    yield _get("sort unknown", "/posts", ("sort", "nope"))
    yield _get("limit offset", "/posts", ("limit", "3"), ("offset", "2"))
    yield _get("offset past end", "/posts", ("offset", "100"))
    yield _get("limit 0", "/posts", ("limit", "0"))
    yield _get("limit max", "/posts", ("limit", "200"))
    yield _get("limit past max", "/posts", ("limit", "201"))
    yield _get("limit text", "/posts", ("limit", "ten"))
    yield _get("offset negative", "/posts", ("offset", "-1"))
    yield _get("count none", "/posts", ("count", "none"))
    yield _get("limit a fraction", "/posts", ("limit", "1.5"))
    yield _get("offset with a zero", "/posts", ("offset", "01"))
    yield _get("sort five relations deep", "/comments", ("sort", "post.author.posts.comments.body"))
    yield _get("sort a nullable to-one", "/comments", ("sort", "-author.name"))
    yield from missing_related_sort_cases()
    yield _get("fields on item", "/posts/1", ("fields", "id,title"))
    yield _get("fields on to-one route", "/comments/1/post", ("fields", "id"))
    yield _get("unknown parameter on item", "/posts/1", ("nope", "1"))
    yield _get("count bad", "/posts", ("count", "some"))
    yield from count_cases()
    yield _get("given twice", "/posts", ("title", "a"), ("title", "b"))
    for sort in ("", "-published_at", "title", "author.name", "-status,id"):
        first = f"cursor page 1 sort={sort}"
        query = (("limit", "3"), *([("sort", sort)] if sort else []))
        yield _get(first, "/posts", *query)
        yield _get(f"cursor page 2 sort={sort}", "/posts", *query, cursor_from=first)
        yield _get(f"cursor page 2 count sort={sort}", "/posts", *query, ("count", "exact"),
                   cursor_from=first)
    yield _get("cursor relation route 1", "/users/1/posts", ("limit", "1"))
    yield _get("cursor relation route 2", "/users/1/posts", ("limit", "1"),
               cursor_from="cursor relation route 1")
    yield _get("cursor forged", "/posts", ("cursor", "abc.def"))
    yield _get("cursor with offset", "/posts", ("limit", "3"), ("offset", "1"),
               cursor_from="cursor page 1 sort=")
    yield _get("cursor other sort", "/posts", ("limit", "3"), ("sort", "title"),
               cursor_from="cursor page 1 sort=")
    for value in ("id,title", "title", "id,title,author", "nope", "id,id", "author_id,comments"):
        yield _get(f"fields={value}", "/posts", ("fields", value))
    for value in ("author", "comments", "comments.author", "tags", "author,comments,tags",
                  "comments.replies.author", "comments.replies.author.posts", "nope", "author.nope"):
        yield _get(f"include={value}", "/posts", ("include", value))
    yield _get("include on item", "/posts/1", ("include", "author"))
    yield _get("include on relation route", "/users/1/posts", ("include", "tags"))
    yield _get("fields and include", "/comments", ("fields", "id,body"), ("include", "post,author"))
    queries: list[tuple[str, object]] = [
        ("strings", {"where": {"id": {"in": [1, 2, 3]}}, "sort": "-id", "limit": 2}),
        ("lists", {"include": ["author"], "fields": ["id", "title", "author"], "sort": ["-title"]}),
        ("limit as string", {"limit": "2", "offset": "1"}),
        ("filter keys", {"author.email__endswith": "@x.io", "status": "published"}),
        ("boolean filter", {"published_at__isnull": True}),
        ("number filter", {"author_id": 1}),
        ("not an object", [1, 2]),
        ("unknown key", {"nope": "1"}),
        ("where as string", {"where": '{"id": 1}'}),
    ]
    for name, body in queries:
        yield Case(f"POST /posts/query {name}", "POST", "/posts/query", body=body)
    yield Case("POST /posts/query malformed", "POST", "/posts/query", content=b"{",
               headers=(("content-type", "application/json"),))


def write_cases() -> Iterator[Case]:
    """Every write, valid and not: creates, bulk, updates, replace, deletes, links, ETags."""
    yield _get("read one", "/posts/1")
    yield _get("read missing", "/posts/999")
    yield _get("read bad key", "/posts/abc")
    yield _get("read If-None-Match *", "/posts/1", headers=(("if-none-match", "*"),))
    yield _get("read If-None-Match other", "/posts/1", headers=(("if-none-match", '"x"'),))
    yield _json("create user", "POST", "/users", {"email": "new@x.io", "name": "New"})
    yield _json("create user again (unique)", "POST", "/users", {"email": "new@x.io"})
    yield _json("create user missing email", "POST", "/users", {"name": "x"})
    yield _json("create user read-only id", "POST", "/users", {"email": "z@x.io", "id": 5})
    yield _json("create user read-only created_at", "POST", "/users",
                {"email": "z@x.io", "created_at": "2024-01-01T00:00:00Z"})
    yield _json("create user unknown field", "POST", "/users", {"email": "z@x.io", "age": 3})
    yield _json("create user wrong type", "POST", "/users", {"email": 5})
    yield _json("create user null email", "POST", "/users", {"email": None})
    yield _json("create user array", "POST", "/users", [{"email": "q@x.io"}])
    yield _json("create user NUL", "POST", "/users", {"email": "a\u0000b"})
    yield _json("create post", "POST", "/posts", {"author_id": 6, "title": "New", "body": "b"})
    yield _json("create post title too long", "POST", "/posts",
                {"author_id": 1, "title": "x" * 201, "body": "b"})
    yield _json("create post missing author", "POST", "/posts",
                {"author_id": 999, "title": "t", "body": "b"})
    yield _json("create post bad enum", "POST", "/posts",
                {"author_id": 1, "title": "t", "body": "b", "status": "nope"})
    yield _json("create post float author", "POST", "/posts",
                {"author_id": 1.5, "title": "t", "body": "b"})
    yield _json("create post string author", "POST", "/posts",
                {"author_id": "1", "title": "t", "body": "b"})
    yield _json("create post integral float", "POST", "/posts",
                {"author_id": 1.0, "title": "t2", "body": "b"})
    yield _json("create post bool author", "POST", "/posts",
                {"author_id": True, "title": "t", "body": "b"})
    yield _json("create post big author", "POST", "/posts",
                {"author_id": 2**40, "title": "t", "body": "b"})
    yield _json("create post naive datetime", "POST", "/posts",
                {"author_id": 1, "title": "t", "body": "b", "published_at": "2024-01-01T00:00:00"})
    yield _json("create post bad datetime", "POST", "/posts",
                {"author_id": 1, "title": "t", "body": "b", "published_at": "soon"})
    yield _json("create post updated_at", "POST", "/posts",
                {"author_id": 1, "title": "t", "body": "b", "updated_at": "2024-01-01T00:00:00Z"})
    yield _json("create post several errors", "POST", "/posts", {"title": 3, "x": 1})
    yield Case("create malformed JSON", "POST", "/posts", content=b'{"title": ',
               headers=(("content-type", "application/json"),))
    yield Case("create text/plain", "POST", "/posts", content=b"{}",
               headers=(("content-type", "text/plain"),))
    yield Case("create invalid UTF-8", "POST", "/posts", content=b'{"title": "\xff"}',
               headers=(("content-type", "application/json"),))
    yield _json("bulk create", "POST", "/tags/bulk", [{"name": "b1"}, {"name": "b2"}])
    yield _json("bulk create one bad", "POST", "/tags/bulk", [{"name": "b3"}, {"name": 3}])
    yield _json("bulk create duplicate", "POST", "/tags/bulk", [{"name": "b4"}, {"name": "b4"}])
    yield _json("bulk create object", "POST", "/tags/bulk", {"name": "b5"})
    yield _json("bulk create empty", "POST", "/tags/bulk", [])
    yield _get("tags after bulk", "/tags")
    yield _get("read post 3", "/posts/3")
    yield _get("read If-None-Match own", "/posts/3", headers=(("if-none-match", ""),),
               etag_from="read post 3")
    yield _get("read If-None-Match weak own", "/posts/3", headers=(("if-none-match", "W/"),),
               etag_from="read post 3")
    yield Case("patch If-Match own", "PATCH", "/posts/3", body={"title": "Gamma 51%"},
               headers=(("if-match", ""),), etag_from="read post 3")
    yield Case("patch If-Match own again (stale)", "PATCH", "/posts/3",
               body={"title": "Gamma 52%"}, headers=(("if-match", ""),), etag_from="read post 3")
    yield _get("comment 4", "/comments/4")
    yield Case("delete If-Match own", "DELETE", "/comments/4", headers=(("if-match", ""),),
               etag_from="comment 4")
    yield _json("patch post", "PATCH", "/posts/2", {"title": "beta 2"})
    yield _json("patch post null title", "PATCH", "/posts/2", {"title": None})
    yield _json("patch post null published_at", "PATCH", "/posts/2", {"published_at": None})
    yield _json("patch post read-only", "PATCH", "/posts/2", {"id": 3})
    yield _json("patch post empty", "PATCH", "/posts/2", {})
    yield _json("patch missing", "PATCH", "/posts/999", {"title": "x"})
    yield _json("patch If-Match wrong", "PATCH", "/posts/2", {"title": "y"}, ("if-match", '"nope"'))
    yield _json("patch If-Match weak", "PATCH", "/posts/2", {"title": "y"}, ("if-match", 'W/"x"'))
    yield _json("patch If-Match *", "PATCH", "/posts/2", {"title": "beta 3"}, ("if-match", "*"))
    yield _json("put post", "PUT", "/posts/2", {"author_id": 1, "title": "beta 4", "body": "s"})
    yield _json("put post missing field", "PUT", "/posts/2", {"title": "x"})
    yield _json("put missing", "PUT", "/posts/999", {"author_id": 1, "title": "x", "body": "s"})
    yield _get("post 2 after writes", "/posts/2")
    yield _json("child create", "POST", "/users/2/posts", {"title": "child", "body": "b"})
    yield _json("child create with fk", "POST", "/users/2/posts",
                {"title": "child", "body": "b", "author_id": 1})
    yield _json("child create owner missing", "POST", "/users/99/posts", {"title": "c", "body": "b"})
    yield _json("m2m create", "POST", "/posts/2/tags", {"name": "linked-new"})
    yield _get("m2m after create", "/posts/2/tags")
    yield Case("link", "PUT", "/posts/2/tags/1")
    yield Case("link twice", "PUT", "/posts/2/tags/1")
    yield Case("link missing tag", "PUT", "/posts/2/tags/999")
    yield Case("link missing post", "PUT", "/posts/999/tags/1")
    yield Case("unlink", "DELETE", "/posts/2/tags/1")
    yield Case("unlink not linked", "DELETE", "/posts/2/tags/1")
    yield Case("delete user with posts", "DELETE", "/users/1")
    yield Case("delete comment", "DELETE", "/comments/6")
    yield Case("delete comment again", "DELETE", "/comments/6")
    yield Case("delete If-Match wrong", "DELETE", "/comments/5", headers=(("if-match", '"x"'),))
    yield _get("users after writes", "/users", ("sort", "id"))
    yield from prefer_cases()
    yield from include_cases()
    yield from bulk_cases()
    yield from nested_cases()
    yield from nested_update_cases()
    yield from batch_cases()
    # Last: on the runtime a merge or an ignore spends a value of the key's sequence (its
    # insert yielded), so rows created after one would have other ids than Express's.
    yield from upsert_cases()


def include_cases() -> Iterator[Case]:
    """`include=` on one row's answer (fastbackend_contract.tables.INCLUDED_ACTIONS): GET of
    one row or of a to-one relation's row and each write, nested rows and `_count` too; a bad
    value is the list's 400 and writes nothing; `Prefer: return=minimal` has no body."""
    def included(name: str, method: str, path: str, include: str, body: object = NO_BODY,
                 *headers: tuple[str, str]) -> Case:
        return Case(f"include {name}", method, path, (("include", include),), body=body,
                    headers=headers)

    yield included("on read", "GET", "/posts/1", "author,comments.author,tags,_count.comments")
    yield included("on read unknown", "GET", "/posts/1", "nope")
    yield included("on read missing row", "GET", "/posts/999", "author")
    yield included("on read If-None-Match", "GET", "/posts/1", "author", NO_BODY,
                   ("if-none-match", "*"))
    yield included("on a to-one relation", "GET", "/comments/1/post",
                   "author,comments.author,tags,_count.comments")
    yield included("on a nullable to-one relation", "GET", "/comments/2/parent", "replies.author")
    yield included("on a to-one relation unknown", "GET", "/comments/1/author", "nope")
    yield included("on a missing to-one relation", "GET", "/comments/2/author", "posts")
    yield included("on a to-one relation of a missing row", "GET", "/comments/999/post", "author")
    yield included("on create", "POST", "/users", "posts,_count.posts",
                   {"email": "inc@x.io", "name": "Inc"})
    yield included("on create bad", "POST", "/users", "posts.nope", {"email": "inc2@x.io"})
    yield included("on create empty", "POST", "/users", "", {"email": "inc2@x.io"})
    yield included("on create too deep", "POST", "/posts", "comments.post.author.posts",
                   {"author_id": 1, "title": "deep", "body": "b"})
    yield Case("include twice on create", "POST", "/users",
               (("include", "posts"), ("include", "posts")), body={"email": "inc2@x.io"})
    yield _get("users after bad includes", "/users", ("email__startswith", "inc"))
    yield included("on nested create", "POST", "/posts", "author,tags,comments.author", {
        "title": "inc nested", "body": "b", "author": {"connect": {"id": 3}},
        "tags": {"create": [{"name": "inc-tag"}], "connect": [{"id": 1}]},
        "comments": {"create": [{"body": "inc c1", "author": {"connect": {"id": 2}}}]}})
    yield included("on bulk create", "POST", "/tags/bulk", "posts,_count.posts",
                   [{"name": "inc-b1"}, {"name": "inc-b2"}])
    yield included("on patch", "PATCH", "/posts/2", "author,comments.author,tags",
                   {"title": "beta inc"})
    yield included("on nested patch", "PATCH", "/posts/2", "tags",
                   {"tags": {"connect": [{"id": 3}]}})
    yield included("on put", "PUT", "/posts/2", "author.posts,_count.tags",
                   {"author_id": 1, "title": "beta inc 2", "body": "s"})
    yield included("on put bad", "PUT", "/posts/2", "author.", {"author_id": 1, "title": "x",
                                                              "body": "s"})
    yield included("on child create", "POST", "/users/2/posts", "author,tags",
                   {"title": "inc child", "body": "b"})
    yield included("on m2m create", "POST", "/posts/2/tags", "posts",
                   {"name": "inc-linked"})
    yield included("on create minimal", "POST", "/users", "posts", {"email": "inc3@x.io"},
                   ("prefer", "return=minimal"))
    yield _get("post 2 after includes", "/posts/2", ("include", "tags"))


def count_cases() -> Iterator[Case]:
    """`Prefer: count=...` on the list routes (fastbackend_contract.tables, "Prefer: count"),
    and the `count` parameter's values. A planned count is the planner's estimate, which each
    server's tables (the same rows, column types written by different tools) may put apart:
    planned totals are compared where the estimate is the planner's, on the same statement."""
    def prefer(value: str) -> tuple[str, str]:
        return ("prefer", value)

    def listed(name: str, *query: tuple[str, str], header: str | None = None,
               path: str = "/posts") -> Case:
        return Case(name, "GET", path, (("fields", "id"), *query),
                    headers=(prefer(header),) if header else ())

    yield listed("prefer count none", header="count=none")
    yield listed("prefer count exact filtered", ("status", "published"), header="count=exact")
    yield listed("prefer count estimated small", ("status", "published"),
                 header="count=estimated")
    yield listed("prefer count unknown value", header="count=some, count=none")
    yield listed("prefer count quoted", header='Count="none"; x=1')
    yield listed("count parameter wins", ("count", "exact"), header="count=none")
    yield listed("count parameter estimated", ("count", "estimated"))
    yield listed("count parameter planned bad", ("count", "plan"))
    yield listed("prefer count on a relation", header="count=none", path="/users/1/posts")
    yield listed("prefer count exact on a relation", header="count=exact", path="/users/1/posts")
    yield _json("prefer count on query", "POST", "/posts/query", {"limit": 2},
                prefer("count=none"))
    yield _json("count in query body wins", "POST", "/posts/query", {"count": "exact"},
                prefer("count=none"))
    yield listed("prefer count planned", header="count=planned")
    yield listed("prefer count planned filtered", ("title", "Alpha"), header="count=planned")


def prefer_cases() -> Iterator[Case]:
    """`Prefer: return=minimal|representation` on every kind of write, and how the header is
    read (first occurrence wins, quotes and parameters, unknown values ignored)."""
    minimal = ("prefer", "return=minimal")
    yield _json("create minimal", "POST", "/users", {"email": "min@x.io"}, minimal)
    yield _json("create minimal refused", "POST", "/users", {"email": "min@x.io"}, minimal)
    yield _json("create representation", "POST", "/users", {"email": "rep@x.io"},
                ("prefer", "return=representation"))
    yield _json("create prefer first wins", "POST", "/users", {"email": "unk@x.io"},
                ("prefer", "return=nope, Return=minimal"))
    yield _json("bulk create minimal", "POST", "/tags/bulk", [{"name": "m1"}], minimal)
    yield _json("patch minimal", "PATCH", "/posts/2", {"title": "beta 5"},
                ("prefer", 'RETURN="minimal"; x=1, handling=strict'))
    yield _json("put minimal", "PUT", "/posts/2",
                {"author_id": 1, "title": "beta 6", "body": "s"}, minimal)
    yield _json("put representation", "PUT", "/posts/2",
                {"author_id": 1, "title": "beta 7", "body": "s"},
                ("prefer", "return=representation"))
    yield _json("child create minimal", "POST", "/users/2/posts", {"title": "c", "body": "b"},
                minimal)
    yield _json("m2m create minimal", "POST", "/posts/2/tags", {"name": "m2"}, minimal)
    yield Case("link minimal", "PUT", "/posts/2/tags/2", headers=(minimal,))
    yield Case("unlink representation", "DELETE", "/posts/2/tags/2",
               headers=(("prefer", "return=representation"),))
    yield Case("delete minimal", "DELETE", "/comments/5", headers=(minimal,))
    yield _get("post 2 after minimal writes", "/posts/2")
    yield _get("users after minimal writes", "/users", ("sort", "id"))


def _batch(name: str, *operations: object, prefer: str | None = None) -> Case:
    return _json(name, "POST", "/_batch", {"operations": list(operations)},
                 *((("prefer", prefer),) if prefer else ()))


def batch_cases() -> Iterator[Case]:
    """`POST /_batch` (docs/rest-api.md "Atomic batch"): references between operations, each
    operation's own answer, a failing one rolling the others back with its own problem and
    pointer, the body's shape checked first, the limit, `Prefer: return=minimal`."""
    user = {"op": "create", "path": "/users", "ref": "u", "body": {"email": "batch@x.io"}}
    yield _batch("batch with references", user,
                 {"op": "create", "path": "/posts", "ref": "p",
                  "body": {"title": "batched", "body": "b", "author_id": {"$ref": "u.id"}}},
                 {"op": "create", "path": "/comments", "ref": "c",
                  "body": {"body": "hi", "post_id": {"$ref": "p.id"}}},
                 {"op": "update", "path": "/posts", "key": {"id": {"$ref": "p.id"}},
                  "body": {"status": "published"}},
                 {"op": "delete", "path": "/comments", "key": {"id": {"$ref": "c.id"}}})
    yield _get("posts after batch", "/posts", ("title", "batched"))
    rolled = {"op": "create", "path": "/tags", "ref": "t", "body": {"name": "batch-rolled"}}
    yield _batch("batch unique violation rolls back", rolled,
                 {"op": "create", "path": "/users", "body": {"email": "ann@x.io"}})
    yield _batch("batch validation names the operation", rolled,
                 {"op": "create", "path": "/posts", "body": {"title": 5, "body": "b",
                                                             "author_id": 1}})
    yield _batch("batch missing row", rolled,
                 {"op": "delete", "path": "/posts", "key": {"id": 999}})
    yield _batch("batch nested connect missing", rolled,
                 {"op": "create", "path": "/posts", "body": {
                     "title": "n", "body": "b", "author": {"connect": {"id": 999}}}})
    yield _batch("batch member include refused", rolled,
                 {"op": "create", "path": "/users", "body": {"email": "bi@x.io"},
                  "include": "posts"})
    yield _get("tags after rolled back batches", "/tags", ("name", "batch-rolled"))
    yield _batch("batch malformed", {"op": "upsert", "path": "/nope"},
                 {"op": "delete", "path": "/users", "key": {"uid": 1}, "body": {}},
                 {"op": "create", "path": "/users", "body": {"email": {"$ref": "later.id"}}},
                 {"op": "create", "path": "/users", "ref": "later", "body": {}})
    yield _json("batch not an object", "POST", "/_batch", [1])
    yield _batch("batch too many", *([{"op": "create", "path": "/tags", "body": {}}] * 101))
    yield _batch("batch minimal", {"op": "create", "path": "/tags", "body": {"name": "batch-min"}},
                 prefer="return=minimal")
    yield _get("tags after minimal batch", "/tags", ("name", "batch-min"))


def _upsert(name: str, path: str, on_conflict: str | None, body: object,
            prefer: str = "resolution=merge-duplicates") -> Case:
    query = () if on_conflict is None else (("on_conflict", on_conflict),)
    return Case(name, "POST", path, query, body=body, headers=(("prefer", prefer),))


def upsert_cases() -> Iterator[Case]:
    """`Prefer: resolution=...` with `on_conflict` on POST and its bulk route (docs/rest-api.md,
    "Upsert"): refusals first, then inserts, merges and ignores, then what they left."""
    ignore = "resolution=ignore-duplicates"
    yield _upsert("upsert bad on_conflict", "/posts", "title", {"title": "x"})
    yield _upsert("upsert unknown on_conflict field", "/tags", "nope", {"name": "x"})
    yield _upsert("upsert on_conflict without resolution", "/tags", "nope", {"name": "x"},
                  "return=representation")
    yield _upsert("upsert refused body", "/tags", "name", {"name": "u", "id": 3})
    yield _upsert("upsert other unique clash", "/users", None, {"email": "ann@x.io"})
    yield _upsert("upsert inserts", "/tags", "name", {"name": "upserted"})
    yield _upsert("bulk upsert", "/tags/bulk", "name", [{"name": "b-new"}, {"name": "unused"}])
    yield _upsert("upsert merges on name", "/tags", "name", {"name": "sql"})
    yield Case("upsert merges with include", "POST", "/tags",
               (("on_conflict", "name"), ("include", "posts,_count.posts")),
               body={"name": "python"}, headers=(("prefer", "resolution=merge-duplicates"),))
    yield Case("bulk upsert with include", "POST", "/tags/bulk",  # creates none (ids above)
               (("on_conflict", "name"), ("include", "posts")),
               body=[{"name": "sql"}, {"name": "b-new"}],
               headers=(("prefer", "resolution=ignore-duplicates"),))
    yield _upsert("upsert ignores", "/users", "email", {"email": "bob@y.org", "name": "Robert"},
                  ignore)
    yield _upsert("upsert merges on email", "/users", " email ", {"email": "cy@x.io", "name": "Cy"})
    yield _upsert("upsert composite any order", "/posts", "title,author_id",
                  {"author_id": 1, "title": "Alpha", "body": "merged"})
    yield _upsert("upsert minimal", "/tags", "name", {"name": "python"},
                  "return=minimal, resolution=merge-duplicates")
    yield _upsert("upsert unknown resolution is a create", "/tags", "name", {"name": "python"},
                  "resolution=nope")
    yield _upsert("bulk upsert none new", "/tags/bulk", "name",
                  [{"name": "b-new"}, {"name": "sql"}], ignore)
    yield _upsert("bulk upsert rolls back", "/users/bulk", "email",
                  [{"email": "new@x.io"}, {"email": "EVE@X.IO", "name": 5}])
    yield _get("users after upserts", "/users", ("sort", "id"))
    yield _get("tags after upserts", "/tags", ("sort", "id"))
    yield _get("post 1 after upserts", "/posts/1")


def _bulk(name: str, method: str, path: str, query: tuple[tuple[str, str], ...],
          body: object = NO_BODY, *headers: tuple[str, str]) -> Case:
    return Case(name, method, path, query, body=body, headers=headers)


def bulk_cases() -> Iterator[Case]:
    """PATCH and DELETE by filter: refusals first (nothing written), then writes, then reads
    showing what they did."""
    representation = ("prefer", "return=representation")
    yield _bulk("bulk patch no filter", "PATCH", "/posts", (), {"body": "x"})
    yield _bulk("bulk patch where {}", "PATCH", "/posts", (("where", "{}"),), {"body": "x"})
    yield _bulk("bulk delete no filter", "DELETE", "/comments", ())
    yield _bulk("bulk patch all=yes", "PATCH", "/posts", (("all", "yes"),), {"body": "x"})
    yield _bulk("bulk patch sort", "PATCH", "/posts", (("id", "1"), ("sort", "id")), {"body": "x"})
    yield _bulk("bulk delete limit", "DELETE", "/posts", (("id", "1"), ("limit", "1")))
    yield _bulk("bulk patch unknown filter", "PATCH", "/posts", (("nope", "1"),), {"body": "x"})
    yield _bulk("bulk patch bad value", "PATCH", "/posts", (("id", "abc"),), {"body": "x"})
    yield _bulk("bulk patch bad where", "PATCH", "/posts", (("where", "{nope"),), {"body": "x"})
    yield _bulk("bulk patch given twice", "PATCH", "/posts", (("id", "1"), ("id", "2")),
                {"body": "x"})
    yield _bulk("bulk patch key", "PATCH", "/posts", (("id", "1"),), {"id": 5})
    yield _bulk("bulk patch read-only", "PATCH", "/posts", (("id", "1"),),
                {"updated_at": "2024-01-01T00:00:00Z"})
    yield _bulk("bulk patch null title", "PATCH", "/posts", (("id", "1"),), {"title": None})
    yield _bulk("bulk patch unknown field", "PATCH", "/posts", (("id", "1"),), {"nope": 1})
    yield _bulk("bulk patch missing author", "PATCH", "/posts", (("status", "archived"),),
                {"author_id": 999})
    yield _bulk("bulk patch unique clash", "PATCH", "/posts", (("author_id", "2"),),
                {"title": "same"})
    yield Case("bulk patch malformed JSON", "PATCH", "/posts", (("id", "1"),), content=b"{",
               headers=(("content-type", "application/json"),))
    yield Case("bulk patch text/plain", "PATCH", "/posts", (("id", "1"),), content=b"{}",
               headers=(("content-type", "text/plain"),))
    yield _get("posts after refused bulk writes", "/posts", ("sort", "id"))
    yield _bulk("bulk patch", "PATCH", "/posts", (("status", "archived"),), {"body": "arch"})
    yield _bulk("bulk patch representation", "PATCH", "/posts",
                (("title__startswith", "Zeta"),), {"body": "z"}, representation)
    yield _bulk("bulk patch minimal", "PATCH", "/posts", (("title__in", "Delta,Alpha"),),
                {"body": "m"}, ("prefer", "return=minimal"))
    yield _bulk("bulk patch through a relation", "PATCH", "/posts",
                (("author.email", "bob@y.org"),), {"body": "by bob"})
    yield _bulk("bulk patch where", "PATCH", "/posts",
                (("where", '{"OR": [{"id": 1}, {"tags": {"some": {"name": "python"}}}]}'),),
                {"status": "draft"}, representation)
    yield _bulk("bulk patch empty body", "PATCH", "/posts", (("id__in", "1,2"),), {})
    yield _bulk("bulk patch matches none", "PATCH", "/posts", (("id", "999"),), {"body": "x"},
                representation)
    yield _bulk("bulk patch all", "PATCH", "/tags", (("all", "true"),), {}, representation)
    yield _bulk("bulk delete representation", "DELETE", "/comments", (("body", "meh"),), NO_BODY,
                representation)
    yield _bulk("bulk delete m2m filter", "DELETE", "/tags", (("name__startswith", "b"),))
    yield _bulk("bulk delete minimal", "DELETE", "/comments", (("post_id", "999"),), NO_BODY,
                ("prefer", "return=minimal"))
    yield _bulk("bulk delete cascade", "DELETE", "/users", (("email", "EVE@X.IO"),))
    yield _get("posts after bulk writes", "/posts", ("sort", "id"))
    yield _get("comments after bulk writes", "/comments", ("sort", "id"))
    yield _get("tags after bulk writes", "/tags", ("sort", "id"))


def protocol_cases() -> Iterator[Case]:
    """Methods, OPTIONS, unknown paths, URLs and headers the app refuses; body limits."""
    for path in ("/posts", "/posts/1", "/posts/1/tags", "/posts/1/tags/1", "/posts/bulk",
                 "/posts/query", "/comments/1/post", "/users/1/posts"):
        yield Case(f"OPTIONS {path}", "OPTIONS", path)
        yield Case(f"TRACE {path}", "TRACE", path)
    yield Case("PATCH bulk", "PATCH", "/posts/bulk", body={"title": "x"})
    yield Case("GET bulk", "GET", "/posts/bulk")
    yield Case("DELETE query", "DELETE", "/posts/query")
    yield Case("DELETE collection", "DELETE", "/posts")
    yield Case("POST item", "POST", "/posts/1")
    yield Case("PATCH relation", "PATCH", "/users/1/posts")
    yield Case("HEAD item", "HEAD", "/posts/1")
    yield Case("HEAD list", "HEAD", "/posts")
    yield _get("unknown path", "/nope")
    yield _get("trailing slash", "/posts/")
    yield _get("capitalised path", "/Posts")
    yield _get("double slash", "/posts//1")
    yield _get("unknown nested path", "/posts/1/nope")
    yield _get("healthz", "/healthz")
    yield _get("livez", "/livez")
    yield _get("readyz", "/readyz")
    yield Case("request id kept", "GET", "/posts/999", headers=(("x-request-id", "parity-1:a/b"),))
    yield Case("request id from traceparent", "GET", "/posts/999", headers=(
        ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),))
    yield Case("request id unusable", "GET", "/posts/999", headers=(("x-request-id", "a b"),))
    yield Case("request id too long", "GET", "/posts", headers=(("x-request-id", "x" * 129),))
    yield Case("request id on a 405", "DELETE", "/posts", headers=(("x-request-id", "r-405"),))
    yield _get("root", "/")
    yield _get("malformed URL path", "/posts/%ff")
    yield _get("malformed URL query", "/posts", raw_query="title=%ff")
    yield _get("NUL in query", "/posts", raw_query="title=%00")
    yield _get("too many parameters", "/posts", raw_query="&".join(f"p{i}=1" for i in range(101)))
    yield _get("URL too long", "/posts", raw_query="title=" + "x" * 9000)
    yield Case("body too large", "POST", "/tags", content=b'{"name": "' + b"x" * 1_100_000 + b'"}',
               headers=(("content-type", "application/json"),))
    yield Case("malformed Content-Type", "POST", "/tags", content=b"{}",
               headers=(("content-type", "application/json\u00e9"),))
    yield Case("Expect 100-continue oversized", "POST", "/tags", raw=(
        b"POST /tags HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2000000\r\nExpect: 100-continue\r\n\r\n"))


def nested_cases() -> Iterator[Case]:
    """Nested writes on create (docs/rest-api.md "Nested writes"): every operation on every kind
    of relation, and each refusal, whose pointers reach into the body; a refusal writes nothing
    (the lists after them show it)."""
    post = {"title": "nested", "body": "b"}
    yield _json("nested create everything", "POST", "/posts", {
        **post, "author": {"connect": {"id": 2}},
        "tags": {"connectOrCreate": [{"where": {"name": "sql"}, "create": {"name": "sql"}},
                                     {"where": {"name": "n-new"}, "create": {"name": "n-new"}}],
                 "create": {"name": "n-made"}, "connect": [{"id": 2}, {"id": 2}]},
        "comments": {"create": [{"body": "n1"}, {"body": "n2", "author": {"connect": {
            "email": "cy@x.io"}}}]}})
    yield _get("nested comments after", "/comments", ("body__startswith", "n"), ("sort", "id"))
    yield _get("nested tags after", "/tags", ("sort", "id"))
    yield _json("nested to-one create", "POST", "/posts", {
        **post, "title": "nested 2", "author": {"create": {"email": "nested@x.io", "name": "N"}}})
    yield _json("nested one-to-many create", "POST", "/users", {
        "email": "parent@x.io", "posts": {"create": [{"title": "p1", "body": "b"},
                                                     {"title": "p2", "body": "b"}]}})
    yield _json("nested one-to-many connect moves", "POST", "/posts", {
        **post, "title": "nested 3", "author_id": 3, "comments": {"connect": {"id": 5}}})
    yield _get("nested moved comment", "/comments/5")
    yield _json("nested connect by unique field", "POST", "/comments", {
        "body": "by email", "post": {"connect": {"id": 1}},
        "author": {"connectOrCreate": {"where": {"email": "ann@x.io"},
                                       "create": {"email": "ann@x.io"}}}})
    yield _json("nested connect missing", "POST", "/posts", {
        **post, "author": {"connect": {"id": 999}}, "tags": {"create": {"name": "never"}}})
    yield _json("nested connect missing deep", "POST", "/posts", {
        **post, "author_id": 1, "comments": {"create": [
            {"body": "ok"}, {"body": "x", "author": {"connect": {"email": "no@x.io"}}}]}})
    yield _json("nested m2m connect missing", "POST", "/posts", {
        **post, "author_id": 1, "tags": {"connect": [{"id": 1}, {"name": "none"}]}})
    yield _json("nested unique violation", "POST", "/posts", {
        **post, "author_id": 1, "tags": {"create": [{"name": "n-ok"}, {"name": "python"}]}})
    yield _json("nested unique violation to-one", "POST", "/posts", {
        **post, "author": {"create": {"email": "ann@x.io"}}})
    yield _json("nested where not unique", "POST", "/posts", {
        **post, "author": {"connect": {"name": "Ann"}}})
    yield _json("nested where two selectors", "POST", "/posts", {
        **post, "author": {"connect": {"id": 1, "email": "ann@x.io"}}})
    yield _json("nested where wrong type", "POST", "/posts", {
        **post, "author": {"connect": {"id": "abc"}}})
    yield _json("nested where not an object", "POST", "/posts", {
        **post, "author": {"connect": 1}})
    yield _json("nested operation not taken", "POST", "/posts", {
        **post, "author_id": 1, "tags": {"set": [{"id": 1}]}})
    yield _json("nested to-one two operations", "POST", "/posts", {
        **post, "author": {"connect": {"id": 1}, "create": {"email": "two@x.io"}}})
    yield _json("nested relation not an object", "POST", "/posts", {**post, "author": 3})
    yield _json("nested relation empty", "POST", "/posts", {**post, "author_id": 1, "tags": {}})
    yield _json("nested to-one create array", "POST", "/posts", {
        **post, "author": {"create": [{"email": "arr@x.io"}]}})
    yield _json("nested connectOrCreate without create", "POST", "/posts", {
        **post, "author": {"connectOrCreate": {"where": {"id": 1}}}})
    yield _json("nested key and relation", "POST", "/posts", {
        **post, "author_id": 1, "author": {"connect": {"id": 1}}})
    yield _json("nested child invalid", "POST", "/posts", {
        **post, "author_id": 1, "comments": {"create": [{"body": "ok"}, {"body": 5, "x": 1}, 7]}})
    yield _json("nested relation back to the owner", "POST", "/posts", {
        **post, "author_id": 1, "comments": {"create": {"body": "c", "post": {"connect": {
            "id": 1}}}}})
    yield _json("nested self relation", "POST", "/comments", {
        "body": "c", "post_id": 1, "parent": {"connect": {"id": 1}}})
    yield _json("nested past the depth limit", "POST", "/posts", {
        **post, "author_id": 1, "comments": {"create": {"body": "c", "author": {"create": {
            "email": "deep@x.io", "posts": {"create": {**post, "tags": {"create": {
                "name": "deep"}}}}}}}}})
    yield _json("nested at the depth limit", "POST", "/tags", {
        "name": "n-deep", "posts": {"create": {**post, "title": "deep", "author": {"create": {
            "email": "deep@x.io", "comments": {"create": {"body": "deep", "post_id": 1}}}}}}})
    yield _json("nested minimal", "POST", "/posts", {**post, "title": "nested min", "author": {
        "connect": {"id": 1}}}, ("prefer", "return=minimal"))
    # under a relation's URL: the target's nested body, but not the relation back to the owner
    yield Case("nested child create", "POST", "/users/2/posts", (("include", "tags,comments"),),
               body={**post, "title": "nested child", "tags": {"connect": [{"id": 1}], "create": {
                   "name": "n-child"}}, "comments": {"create": [{"body": "n-child c"}]}})
    yield _json("nested child create back relation", "POST", "/users/2/posts",
                {**post, "title": "nested back", "author": {"connect": {"id": 1}}})
    yield _json("nested child create missing connect", "POST", "/users/2/posts",
                {**post, "title": "nested missing", "tags": {"connect": [{"id": 999}]}})
    yield Case("nested m2m create", "POST", "/posts/2/tags", (("include", "posts"),),
               body={"name": "n-m2m", "posts": {"connect": [{"id": 2}, {"id": 3}]}})
    yield _get("post 2 tags after nested", "/posts/2/tags", ("sort", "id"))
    # a bulk create: each element a create's nested body, in the one transaction
    yield Case("nested bulk create", "POST", "/posts/bulk", (("include", "tags,comments"),),
               body=[{**post, "title": "bulk flat", "author_id": 1},
                     {**post, "title": "bulk nested", "author": {"connect": {"id": 2}},
                      "tags": {"connect": [{"id": 1}], "create": {"name": "n-bulk"}},
                      "comments": {"create": [{"body": "n-bulk c"}]}}])
    never = {**post, "title": "never", "author_id": 1, "tags": {"create": {"name": "never"}}}
    yield _json("nested bulk element 1 invalid", "POST", "/posts/bulk", [
        {**never, "title": 5}, {**post, "author_id": 1, "comments": {"create": [
            {"body": "ok"}, {"body": 7, "x": 1}]}, "tags": {"set": []}}, 3])
    yield _json("nested bulk element 1 connect missing", "POST", "/posts/bulk", [
        never, {**post, "author": {"connect": {"id": 999}}}])
    yield _json("nested bulk past the depth limit", "POST", "/posts/bulk", [never, {
        **post, "author_id": 1, "comments": {"create": {"body": "c", "author": {"create": {
            "email": "deep@x.io", "posts": {"create": {**post, "tags": {"create": {
                "name": "deep"}}}}}}}}}])
    yield _json("nested bulk upsert nests nothing", "POST", "/tags/bulk", [
        {"name": "never", "posts": {"connect": [{"id": 1}]}}],
        ("prefer", "resolution=merge-duplicates"))
    yield _get("users after nested", "/users", ("sort", "id"))
    yield _get("tags after nested", "/tags", ("sort", "id"))
    yield _get("posts after nested", "/posts", ("sort", "id"), ("fields", "id,title,author_id"))


def nested_update_cases() -> Iterator[Case]:
    """Nested writes on PATCH and PUT: `set`, then `disconnect`, then the rest as sent; to-one
    rows before the row's own save (If-Match, PUT), to-many after; unlinking sets a child's key
    to null or deletes a link, never a row; the orphan rule's 422 names the required key."""
    tags = ("sort", "id")
    yield _json("nested patch set", "PATCH", "/posts/1", {
        "title": "Alpha set", "tags": {"set": [{"id": 3}, {"name": "python"}]}})
    yield _get("nested patch set tags", "/posts/1/tags", tags)
    yield _json("nested patch disconnect before connect", "PATCH", "/posts/1", {
        "tags": {"connect": [{"id": 4}, {"id": 3}], "disconnect": [{"id": 3}, {"id": 2}]}})
    yield _get("nested patch order tags", "/posts/1/tags", tags)
    yield _json("nested patch m2m create", "PATCH", "/posts/1", {
        "tags": {"create": {"name": "u-made"}, "disconnect": {"id": 1}}})
    yield _json("nested patch disconnect missing", "PATCH", "/posts/1", {
        "title": "never", "tags": {"disconnect": {"id": 999}}})
    yield _json("nested patch set bad where", "PATCH", "/posts/1", {
        "tags": {"set": [{"id": 1}, {"nope": 1}, {"id": "x"}]}})
    yield _json("nested patch set orphans", "PATCH", "/posts/1", {"comments": {"set": []}})
    yield _json("nested patch disconnect orphans", "PATCH", "/posts/1", {
        "comments": {"disconnect": {"id": 1}}})
    yield _json("nested patch to-one disconnect orphans", "PATCH", "/posts/1", {
        "author": {"disconnect": True}})
    yield _json("nested patch to-one connect", "PATCH", "/posts/2", {
        "author": {"connect": {"email": "cy@x.io"}}})
    yield _json("nested patch one-to-many moves", "PATCH", "/posts/2", {
        "comments": {"connect": {"id": 4}}})
    yield _get("nested patch moved comment", "/comments/4")
    yield _json("nested patch to-one disconnect", "PATCH", "/comments/1", {
        "author": {"disconnect": True}})
    yield _json("nested patch to-one disconnect false", "PATCH", "/comments/2", {
        "author": {"disconnect": False}})
    yield _json("nested patch to-one disconnect not bool", "PATCH", "/comments/2", {
        "author": {"disconnect": 1}})
    yield _json("nested patch one-to-many set", "PATCH", "/users/1", {
        "comments": {"set": [{"id": 2}]}})
    yield _json("nested patch one-to-many disconnect", "PATCH", "/users/3", {
        "comments": {"disconnect": [{"id": 3}, {"id": 2}]}})
    yield _get("nested patch comments after", "/comments", tags, ("fields", "id,post_id,author_id"))
    yield _json("nested put", "PUT", "/posts/2", {
        "title": "put nested", "body": "b", "author": {"connect": {"id": 1}},
        "tags": {"set": [{"id": 1}], "create": [{"name": "u-put"}]}})
    yield _json("nested patch If-Match wrong", "PATCH", "/posts/2", {
        "tags": {"create": {"name": "never"}}}, ("if-match", '"x"'))
    yield _json("nested patch missing row", "PATCH", "/posts/999", {
        "tags": {"create": {"name": "never"}}})
    yield _json("nested patch from the other side", "PATCH", "/tags/1", {
        "posts": {"disconnect": {"id": 2}, "connect": [{"id": 3}]}})
    yield _json("nested patch minimal", "PATCH", "/tags/2", {"posts": {"set": []}},
                ("prefer", "return=minimal"))
    yield _get("nested patch post 2 tags", "/posts/2/tags", tags)
    yield _get("tags after nested patch", "/tags", tags)


def limit_cases() -> Iterator[Case]:
    """Bulk writes by filter past limits.max_bulk_rows (MAX_BULK_ROWS on both servers): a 400,
    rolled back, after the write's own refusals (a missing author's 422 comes first, as on the
    runtime: routes/bulk.py). Last in the corpus: they add a user and its posts, then delete
    them (the posts by cascade)."""
    many = ("author.email", "many@x.io")
    posts = [{"title": f"many {i}", "body": "b"} for i in range(MAX_BULK_ROWS + 1)]
    # its key is compared for presence: by the corpus' end the two servers' sequences differ
    # (the new user was 23 on the runtime, 21 on Express, on both databases)
    yield Case("create a user with many posts", "POST", "/users",
               body={"email": "many@x.io", "posts": {"create": posts}}, generated=("id",))
    yield _bulk("bulk patch too many rows and a missing author", "PATCH", "/posts", (many,),
                {"author_id": 999})
    yield _bulk("bulk patch too many rows", "PATCH", "/posts", (many,), {"body": "x"})
    yield _bulk("bulk patch too many rows, empty body", "PATCH", "/posts", (many,), {})
    yield _bulk("bulk delete too many rows", "DELETE", "/posts", (many,))
    yield _get("many posts unchanged", "/posts", many, ("author_id__ne", "999"),
               ("body", "b"), ("fields", "title"), ("limit", "1"))
    yield _bulk("bulk delete the user of many posts", "DELETE", "/users", (("email", "many@x.io"),))
    yield _get("many posts deleted", "/posts", many)


def corpus(ir: IR) -> list[Case]:
    values = Values(POOL, BY_TYPE, BAD_VALUE)
    return [*field_cases(ir, values), *relation_cases(), *page_cases(), *aggregate_cases(),
            *protocol_cases(), *write_cases(), *limit_cases()]
