"""A small program written against the client openapi-python-client generated from the blog's
emitted document (package blog_api_client), run against a live server:
python blog_python.py BASE_URL. Exits non-zero (an AssertionError) when a step goes wrong.

Uses only what the generated client offers: typed models, one function per operation.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from blog_api_client import Client  # type: ignore[import-not-found]
from blog_api_client.api.batch import batch  # type: ignore[import-not-found]
from blog_api_client.api.posts import create_post, update_posts  # type: ignore[import-not-found]
from blog_api_client.api.users import (  # type: ignore[import-not-found]
    bulk_create_users,
    create_user,
    delete_user,
    get_user,
    list_users,
    update_user,
)
from blog_api_client.models import (  # type: ignore[import-not-found]
    BatchOperation,
    BatchOperationBody,
    BatchOperationKey,
    BatchOperationOp,
    BatchOperationPath,
    BatchRequest,
    BatchResults,
    CreateUserOnConflict,
    ListUsersUserFilters,
    PostCreateNested,
    PostRead,
    PostUpdate,
    Problem,
    UpdatePostsPostFilters,
    UserCreate,
    UserRead,
    UsersPage,
    UserUpdate,
)


def main(base_url: str) -> None:
    client = Client(base_url=base_url, raise_on_unexpected_status=True)
    # create one: a typed UserRead, not UserRead | list[UserRead]
    created = create_user.sync_detailed(client=client, body=UserCreate(email="ada@x.io",
                                                                      name="Ada"))
    assert created.status_code == 201 and isinstance(created.parsed, UserRead), created
    assert created.headers["location"] == f"/users/{created.parsed.id}"
    ada = created.parsed
    # bulk create: its own operation, a typed list
    bulk = bulk_create_users.sync_detailed(client=client, body=[
        UserCreate(email=f"user{i}@x.io", name=f"User {i}") for i in range(5)])
    assert bulk.status_code == 201 and isinstance(bulk.parsed, list), bulk
    assert [user.email for user in bulk.parsed] == [f"user{i}@x.io" for i in range(5)]
    print("created 1 + 5")

    # list with filters (title=x&title__op=y in the query string) and where (JSON text)
    page = list_users.sync(client=client, filters=ListUsersUserFilters(email_endswith="@x.io",
                                                                       id_gt=ada.id))
    assert isinstance(page, UsersPage) and page.meta.total == 5, page
    where = json.dumps({"OR": [{"name": "Ada"}, {"email": {"in": ["user3@x.io"]}}]})
    page = list_users.sync(client=client, where=where, sort="-email")
    assert [user.email for user in page.data] == ["user3@x.io", "ada@x.io"], page
    print("filtered")

    # cursor paging: follow meta.next_cursor to the end
    seen: list[Any] = []
    cursor: Any = None
    while True:
        page = list_users.sync(client=client, limit=2, sort="email",
                               **({"cursor": cursor} if cursor else {}))
        seen += [user.email for user in page.data]
        cursor = page.meta.next_cursor
        if not cursor:
            break
    assert seen == sorted(["ada@x.io", *(f"user{i}@x.io" for i in range(5))]), seen
    print(f"paged {len(seen)} rows")

    # get with its ETag; If-None-Match gives 304
    read = get_user.sync_detailed(ada.id, client=client)
    etag = read.headers["etag"]
    assert read.status_code == 200 and read.parsed == ada
    assert get_user.sync_detailed(ada.id, client=client, if_none_match=etag).status_code == 304
    # PATCH with If-Match; the old ETag then gets 412
    patched = update_user.sync_detailed(ada.id, client=client, body=UserUpdate(name="Ada L."),
                                        if_match=etag)
    assert patched.status_code == 200 and patched.parsed.name == "Ada L.", patched
    stale = update_user.sync_detailed(ada.id, client=client, body=UserUpdate(name="x"),
                                      if_match=etag)
    assert stale.status_code == 412 and isinstance(stale.parsed, Problem), stale
    print("etag, 304, if-match, 412")

    # 409: a problem, parsed as the document's Problem
    duplicate = create_user.sync_detailed(client=client, body=UserCreate(email="ada@x.io"))
    assert duplicate.status_code == 409 and isinstance(duplicate.parsed, Problem), duplicate
    assert duplicate.parsed.status == 409 and duplicate.parsed.errors, duplicate.parsed
    assert duplicate.parsed.errors[0].pointer == "/email"
    print("409 problem")

    assert delete_user.sync_detailed(ada.id, client=client).status_code == 204
    assert get_user.sync_detailed(ada.id, client=client).status_code == 404
    print("deleted")

    # the atomic batch: a user and a post referring to it, in one transaction
    ops = [BatchOperation(op=BatchOperationOp("create"), path=BatchOperationPath("/users"), ref="u",
                          body=BatchOperationBody.from_dict({"email": "batch@x.io"})),
           BatchOperation(op=BatchOperationOp("create"), path=BatchOperationPath("/posts"),
                          body=BatchOperationBody.from_dict({
                              "title": "t", "body": "b", "author_id": {"$ref": "u.id"}}))]
    done = batch.sync_detailed(client=client, body=BatchRequest(operations=ops))
    assert done.status_code == 200 and isinstance(done.parsed, BatchResults), done
    user_id = done.parsed.results[0].body["id"]
    assert done.parsed.results[1].body["author_id"] == user_id
    refused = batch.sync_detailed(client=client, body=BatchRequest(operations=[
        BatchOperation(op=BatchOperationOp("update"), path=BatchOperationPath("/users"),
                       key=BatchOperationKey.from_dict({"id": user_id}),
                       body=BatchOperationBody.from_dict({"name": "B"})),
        BatchOperation(op=BatchOperationOp("delete"), path=BatchOperationPath("/users"),
                       key=BatchOperationKey.from_dict({"id": user_id + 1000}))]))
    assert refused.status_code == 404 and isinstance(refused.parsed, Problem), refused
    assert refused.parsed.errors[0].pointer == "/operations/1/key", refused.parsed
    assert get_user.sync(user_id, client=client).name is None  # rolled back
    print("batch")

    # writes beyond CRUD: a nested create answered with its include, an upsert on a unique
    # field, a bulk PATCH by filter
    nested = create_post.sync_detailed(client=client, include="tags", body=PostCreateNested.from_dict({
        "title": "nested", "body": "b", "author": {"connect": {"id": user_id}},
        "tags": {"create": [{"name": "nested-tag"}]}}))
    assert nested.status_code == 201 and isinstance(nested.parsed, PostRead), nested
    assert [tag.name for tag in nested.parsed.tags] == ["nested-tag"], nested.parsed
    merged = create_user.sync_detailed(client=client, body=UserCreate(email="batch@x.io", name="Merged"),
                                       on_conflict=CreateUserOnConflict.EMAIL,
                                       prefer="resolution=merge-duplicates")
    assert merged.status_code == 200 and isinstance(merged.parsed, UserRead), merged
    assert (merged.parsed.id, merged.parsed.name) == (user_id, "Merged")
    archived = update_posts.sync_detailed(client=client, body=PostUpdate.from_dict({"status": "archived"}),
                                          filters=UpdatePostsPostFilters(author_id=user_id))
    assert archived.status_code == 200, archived
    users = list_users.sync(client=client, filters=ListUsersUserFilters(id=user_id), include="posts")
    assert [post.status for post in users.data[0].posts] == ["archived", "archived"], users
    print("nested, upsert, bulk update")


if __name__ == "__main__":
    main(sys.argv[1])
