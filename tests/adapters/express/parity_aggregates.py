"""The aggregate route's parity cases on the blog (docs/query-language.md, "Aggregates"): the
same requests to both servers, answers compared by test_parity.py. Groupable on the blog: keys,
unique fields and indexed ones (Post.status, User.email, Tag.name); grouping through to-one
relations (`author.email`, `post.status`) included."""

from __future__ import annotations

from collections.abc import Iterator

from tests.adapters.express.parity_corpus import Case
from tests.adapters.express.parity_corpus import get as _get

AGGREGATES: list[tuple[str, str, tuple[tuple[str, str], ...]]] = [
    ("posts, default count", "/posts/aggregate", ()),
    ("posts, every function by status", "/posts/aggregate", (
        ("group_by", "status"), ("count", "*,id"), ("count_distinct", "status"),
        ("sum", "id"), ("avg", "id"), ("min", "id"), ("max", "id"))),
    ("posts by author email", "/posts/aggregate", (
        ("group_by", "author.email"), ("count", "*"), ("sort", "-count.*,author.email"))),
    ("comments by post status and author", "/comments/aggregate", (
        ("group_by", "post.status,author.email"), ("count", "*"), ("max", "id"),
        ("having", "count.*__gte=1"), ("sort", "-count.*"), ("limit", "3"))),
    ("filters before aggregating", "/posts/aggregate", (
        ("status", "published"), ("group_by", "author.email"), ("sum", "id"))),
    ("where before aggregating", "/posts/aggregate", (
        ("where", '{"author": {"is": {"email": {"endswith": "@x.io"}}}}'),
        ("group_by", "status"), ("min", "id"), ("max", "id"))),
    ("having on a sum", "/posts/aggregate", (
        ("group_by", "status"), ("sum", "id"), ("having", "sum.id__gt=3"))),
    ("tags page of groups", "/tags/aggregate", (
        ("group_by", "name"), ("count", "*"), ("limit", "2"), ("offset", "1"))),
    ("users by email, descending", "/users/aggregate", (
        ("group_by", "email"), ("count_distinct", "id"), ("sort", "-email"))),
    ("no rows: one group of the whole set", "/posts/aggregate", (
        ("id", "999"), ("count", "*"), ("sum", "id"), ("avg", "id"), ("min", "id"))),
    # the guards and mistakes: 400s naming the parameter
    ("group by an unindexed field", "/posts/aggregate", (("group_by", "title"),)),
    ("sum of an enum", "/posts/aggregate", (("sum", "status"),)),
    ("group by a to-many relation", "/posts/aggregate", (("group_by", "comments.body"),)),
    ("sort by an aggregate not answered", "/posts/aggregate", (
        ("group_by", "status"), ("sort", "-sum.id"))),
    ("sort key twice", "/posts/aggregate", (("group_by", "status"), ("sort", "status,-status"))),
    ("bad having", "/posts/aggregate", (("having", "count.*__like=1"),)),
    ("limit 0", "/posts/aggregate", (("limit", "0"),)),
    ("a list parameter", "/posts/aggregate", (("include", "author"),)),
]


# keyset pages of groups: each server is sent its own next_cursor (parity_compare.py)
PAGED: list[tuple[str, str, int, tuple[tuple[str, str], ...]]] = [  # (..., pages walked)
    ("by a count, descending", "/comments/aggregate", 2, (
        ("group_by", "post.status,author.email"), ("sort", "-count.*"), ("limit", "2"))),
    ("by a group field with NULLs", "/posts/aggregate", 3, (
        ("group_by", "author.email"), ("sum", "id"), ("limit", "1"))),
]


def aggregate_cases() -> Iterator[Case]:
    for name, path, query in AGGREGATES:
        yield _get(f"aggregate: {name}", path, *query)
    for name, path, pages, query in PAGED:
        yield _get(f"aggregate cursor {name} 1", path, *query)
        for page in range(2, pages + 1):
            yield _get(f"aggregate cursor {name} {page}", path, *query,
                       cursor_from=f"aggregate cursor {name} {page - 1}")
    yield _get("aggregate: a cursor of another query", "/posts/aggregate", (
        "group_by", "author.email"), ("sum", "id"), ("limit", "1"), ("status", "published"),
        cursor_from="aggregate cursor by a group field with NULLs 1")
    yield _get("aggregate: a cursor with offset", "/posts/aggregate", (
        "group_by", "author.email"), ("sum", "id"), ("limit", "1"), ("offset", "1"),
        cursor_from="aggregate cursor by a group field with NULLs 1")
    yield Case("aggregate: PUT is a 405", "PUT", "/posts/aggregate", body={})
