"""A keyset cursor over an enum sort key follows the enum's order on every database.

MySQL and MariaDB sort an ENUM column by its declared position but compare it with a text as
text, so a cursor's "after (published, 6)" written as `status < 'published'` took 'archived'
rows again on page 2 (found by the differential parity suite on MariaDB, issue #25).
"""

from __future__ import annotations

from tests.adapters.fastapi.conftest import TestClient

STATUSES = ["archived", "published", "draft", "published", "archived", "draft", "published"]


def test_a_cursor_walk_on_an_enum_sort_sees_every_row_once_in_order(blog: TestClient) -> None:
    author = blog.post("/users", json={"email": "enum@x.io"}).json()["id"]
    for index, status in enumerate(STATUSES):
        created = blog.post("/posts", json={"title": f"t{index}", "body": "b", "status": status,
                                            "author_id": author})
        assert created.status_code == 201, created.text
    for sort in ("-status,id", "status,-id"):
        walked: list[tuple[str, int]] = []
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"sort": sort, "limit": 2}
            if cursor is not None:
                params["cursor"] = cursor
            page = blog.get("/posts", params=params).json()
            walked += [(post["status"], post["id"]) for post in page["data"]]
            cursor = page["meta"]["next_cursor"]
            if cursor is None:
                break
        whole = blog.get("/posts", params={"sort": sort, "limit": 50}).json()["data"]
        assert walked == [(post["status"], post["id"]) for post in whole]  # once each, in order


def test_null_enums_sort_last_ascending_and_first_descending(kitchen: TestClient) -> None:
    """MySQL's FIELD() of a NULL enum is 0, which sorted NULLs first ascending on MariaDB
    (found by the kitchen's parity corpus on MariaDB): NULLs are placed as the contract says on
    every database, and a cursor walk keeps the order. (Which color comes first is each
    database's: declared order for a native enum, the stored text on SQLite.)"""
    for label, color in (("a", None), ("b", "blue"), ("c", "red"), ("d", None), ("e", "green")):
        body = {"label": label} | ({} if color is None else {"color": color})
        assert kitchen.post("/samples", json=body).status_code == 201
    nulls = {"color,id": [False, False, False, True, True],
             "-color,id": [True, True, False, False, False]}
    for sort, expected in nulls.items():
        whole = kitchen.get("/samples", params={"sort": sort, "limit": 50}).json()["data"]
        assert [sample["color"] is None for sample in whole] == expected, sort
        walked, cursor = [], None
        while True:
            params: dict[str, str | int] = {"sort": sort, "limit": 2}
            if cursor is not None:
                params["cursor"] = cursor
            page = kitchen.get("/samples", params=params).json()
            walked += [sample["id"] for sample in page["data"]]
            cursor = page["meta"]["next_cursor"]
            if cursor is None:
                break
        assert walked == [sample["id"] for sample in whole], sort
