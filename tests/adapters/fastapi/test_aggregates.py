"""GET /{resource}/aggregate (docs/query-language.md, "Aggregates") on SQLite, PostgreSQL and
MariaDB: every number is compared with the same number computed in Python from the rows the
API lists, never with a constant."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from fastbackend.pipeline import compile_path
from fastbackend_ir import dumps
from tests.adapters.fastapi.conftest import MakeClient, problem

PROJECT = Path(__file__).parent / "aggregates_project"
# The project's IR, also an Express test IR: Post.views, Post.score and Author.country declared
# in fastbackend.yaml (`aggregate`), status, author_id and Author.name indexed, Post.title neither.
IR_PATH = Path(__file__).parents[1] / "express" / "irs" / "aggregates.ir.json"
Row = dict[str, Any]


def test_the_project_compiles_to_its_ir() -> None:
    _, result = compile_path(PROJECT / "models.py")
    assert dumps(result.ir) == IR_PATH.read_text("utf-8"), "recompile aggregates_project"


WORDS = ("kiwi", "lime", "kiwi lime", "plum")  # Post.title is searched (fastbackend.yaml)


def seeded(make_client: MakeClient) -> TestClient:
    """The project's server with 4 authors and 60 posts of random status, views, score and
    author (a fixed seed); a function, not a fixture, so the Express run collects the tests
    (tests/adapters/express/test_contract.py takes those asking for `make_client`)."""
    client = make_client(IR_PATH)
    generator = random.Random(23)
    authors = [{"name": name, "country": country}
               for name, country in (("ada", "uk"), ("bob", "us"), ("cy", None), ("di", "us"))]
    assert client.post("/authors/bulk", json=authors).status_code == 201
    posts = [{"title": f"t{i} {WORDS[i % len(WORDS)]}",
              "status": generator.choice(["draft", "published", "gone"]),
              "views": generator.randint(0, 1000),
              "score": generator.choice([None, round(generator.uniform(0, 5), 2)]),
              "author_id": generator.choice([1, 2, 3, 4, None])} for i in range(60)]
    assert client.post("/posts/bulk", json=posts).status_code == 201
    return client


def rows(client: TestClient, **filters: str) -> list[Row]:
    page = client.get("/posts", params={"limit": "200", "include": "author", **filters})
    assert page.status_code == 200, page.text
    found: list[Row] = page.json()["data"]
    return found


def value_of(row: Row, name: str) -> Any:
    if name.startswith("author."):
        return None if row["author"] is None else row["author"][name.removeprefix("author.")]
    return row[name]


def numbers(values: Iterable[Any]) -> list[Any]:
    return [v for v in values if v is not None]


FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "count": lambda v: len(numbers(v)),
    "count_distinct": lambda v: len(set(numbers(v))),
    "sum": lambda v: sum(numbers(v)) if numbers(v) else None,
    "avg": lambda v: sum(numbers(v)) / len(numbers(v)) if numbers(v) else None,
    "min": lambda v: min(numbers(v)) if numbers(v) else None,
    "max": lambda v: max(numbers(v)) if numbers(v) else None,
}


def expected(found: list[Row], group_by: tuple[str, ...],
             measures: dict[str, tuple[str, ...]]) -> dict[tuple[Any, ...], Row]:
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for row in found:
        groups[tuple(value_of(row, name) for name in group_by)].append(row)
    answer: dict[tuple[Any, ...], Row] = {}
    for key, members in groups.items():
        entry: Row = {}
        for function, names in measures.items():
            entry[function] = {name: len(members) if name == "*" else
                               FUNCTIONS[function]([value_of(r, name) for r in members])
                               for name in names}
        answer[key] = entry
    return answer


def close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1, abs(b))
    return bool(a == b)


def check(answer: list[Row], want: dict[tuple[Any, ...], Row], group_by: tuple[str, ...]) -> None:
    assert len(answer) == len(want)
    for entry in answer:
        key = tuple(entry["group"][name] for name in group_by) if group_by else ()
        for function, by_name in want[key].items():
            for name, number in by_name.items():
                assert close(entry[function][name], number), (key, function, name, entry)


MEASURES = {"count": ("*", "score"), "count_distinct": ("status",), "sum": ("views", "score"),
            "avg": ("views", "score"), "min": ("views", "score"), "max": ("views", "status")}
PARAMS = {name: ",".join(fields) for name, fields in MEASURES.items()}


def test_every_function_without_groups_matches_python(make_client: MakeClient) -> None:
    api = seeded(make_client)
    response = api.get("/posts/aggregate", params=PARAMS)
    assert response.status_code == 200, response.text
    body = response.json()
    check(body["data"], expected(rows(api), (), MEASURES), ())


def test_filters_apply_before_aggregating(make_client: MakeClient) -> None:
    api = seeded(make_client)
    filters = {"views__gte": "300", "status__in": "draft,published"}
    response = api.get("/posts/aggregate", params={**PARAMS, **filters, "group_by": "status"})
    assert response.status_code == 200, response.text
    check(response.json()["data"], expected(rows(api, **filters), ("status",), MEASURES),
          ("status",))


def test_group_by_through_a_to_one_relation(make_client: MakeClient) -> None:
    api = seeded(make_client)
    group_by = ("author.name", "author.country")
    response = api.get("/posts/aggregate", params={**PARAMS, "group_by": ",".join(group_by)})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    check(data, expected(rows(api), group_by, MEASURES), group_by)
    # the default order is the groups', NULLs last (posts without an author)
    names = [entry["group"]["author.name"] for entry in data]
    assert names == sorted(numbers(names)) + [None] * names.count(None)


def test_having_sort_and_limit(make_client: MakeClient) -> None:
    api = seeded(make_client)
    want = expected(rows(api), ("author_id",), {"count": ("*",), "sum": ("views",)})
    kept = {key: entry for key, entry in want.items() if entry["count"]["*"] >= 10}
    ranked = sorted(kept, key=lambda key: -kept[key]["sum"]["views"])
    response = api.get("/posts/aggregate", params={
        "group_by": "author_id", "count": "*", "sum": "views", "having": "count.*__gte=10",
        "sort": "-sum.views", "limit": "2"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(e["group"]["author_id"], e["sum"]["views"]) for e in body["data"]] == [
        (key[0], kept[key]["sum"]["views"]) for key in ranked[:2]]
    assert body["meta"] == {"limit": 2, "offset": 0, "next_cursor": body["meta"]["next_cursor"]}
    assert (body["meta"]["next_cursor"] is None) == (len(ranked) <= 2)
    second = api.get("/posts/aggregate", params={  # sorted by a sum it does not answer
        "group_by": "author_id", "having": "count.*__gte=10",
        "sort": "-sum.views", "limit": "2", "offset": "2"}).json()["data"]
    assert [e["group"]["author_id"] for e in second] == [key[0] for key in ranked[2:4]]
    assert all(set(e) == {"group", "count"} for e in second)


def test_the_guard_refuses_an_unindexed_group_by(make_client: MakeClient) -> None:
    api = seeded(make_client)
    response = api.get("/posts/aggregate", params={"group_by": "title"})
    assert response.status_code == 400
    body = problem(response)
    assert body["type"] == "https://fastbackend.dev/problems/invalid-parameter"
    assert "group_by" in str(body["detail"]) and "title" in str(body["detail"])
    assert api.get("/posts/aggregate", params={"max": "title"}).status_code == 400


@pytest.mark.parametrize("params,words", [  # one string: test_contract.py reads it
    ({"sum": "status"}, "sum"),  # not numeric: the scalar table says so
    ({"avg": "author.name"}, "avg"),
    ({"group_by": "nope"}, "nope"),
    ({"sum": "*"}, "count only"),
    ({"sort": "-sum.title"}, "title"),
    ({"group_by": "views", "sort": "views,-views"}, "twice"),
    ({"having": "count.*__zz=1"}, "op"),
    ({"limit": "0"}, "limit"),
    ({"offset": "\u00b2"}, "offset"),  # a digit to str.isdigit, not to int()
    ({"offset": "9007199254740992"}, "offset"),
    ({"having": "count.*__gt=99999999999999999999"}, "integer"),
    ({"having": "sum.views__gt=1e400"}, "number"),
    ({"fields": "id"}, "aggregate request"),
    ({"cursor": "x"}, "not a cursor"),
    ({"search": "!!"}, "word"),
])
def test_mistakes_are_400s_naming_the_parameter(make_client: MakeClient, params: dict[str, str],
                                                words: str) -> None:
    api = make_client(IR_PATH)
    response = api.get("/posts/aggregate", params=params)
    assert response.status_code == 400, response.text
    assert words in str(problem(response)["detail"])


def test_too_many_groups_without_a_limit(make_client: MakeClient) -> None:
    client = make_client(IR_PATH)
    posts = [{"title": "t", "status": "s", "views": i} for i in range(1001)]  # max_groups + 1
    for start in (0, 1000):
        chunk = posts[start:start + 1000]
        assert client.post("/posts/bulk", json=chunk).status_code == 201
    response = client.get("/posts/aggregate", params={"group_by": "views"})
    assert response.status_code == 400
    assert problem(response)["type"] == "https://fastbackend.dev/problems/too-many-groups"
    limited = client.get("/posts/aggregate", params={"group_by": "views", "limit": "3",
                                                     "sort": "-views"})
    assert [e["group"]["views"] for e in limited.json()["data"]] == [1000, 999, 998]
    narrowed = client.get("/posts/aggregate", params={"group_by": "views", "views__lt": "1000"})
    assert len(narrowed.json()["data"]) == 1000
    assert client.get("/posts/aggregate", params={"limit": "1001"}).status_code == 400


def test_search_aggregates_the_matching_rows(make_client: MakeClient, database_url: str) -> None:
    api = seeded(make_client)
    params = {**PARAMS, "group_by": "status", "search": "kiwi"}
    response = api.get("/posts/aggregate", params=params)
    assert response.status_code == 200, response.text
    matching = [row for row in rows(api) if "kiwi" in row["title"].split()]
    assert matching and len(matching) < len(rows(api))
    check(response.json()["data"], expected(matching, ("status",), MEASURES), ("status",))
    # ANDed with the filters, as on a list
    both = api.get("/posts/aggregate", params={"search": "kiwi", "views__gte": "500"}).json()
    assert both["data"][0]["count"]["*"] == len([r for r in matching if r["views"] >= 500])


PAGED = [  # (query, page size): an aggregate desc, a group field asc with NULL groups, NULL means
    ({"group_by": "author_id", "count": "*", "sort": "-count.*"}, "2"),
    ({"group_by": "author.country", "sum": "views", "sort": "author.country"}, "1"),
    ({"group_by": "status,author_id", "avg": "score", "sort": "-avg.score,status"}, "3"),
    ({"group_by": "author.name", "having": "count.*__gte=2", "sort": "max.views"}, "2"),
]


@pytest.mark.parametrize("params,limit", PAGED)
def test_cursor_pages_of_groups_walk_the_whole_answer(make_client: MakeClient,
                                                      params: dict[str, str], limit: str) -> None:
    api = seeded(make_client)
    whole = api.get("/posts/aggregate", params=params)
    assert whole.status_code == 200, whole.text
    assert whole.json()["meta"]["next_cursor"] is None
    walked: list[Row] = []
    cursor: str | None = None
    for _ in range(len(whole.json()["data"]) + 1):
        page = api.get("/posts/aggregate", params={
            **params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        assert len(page.json()["data"]) <= int(limit)
        walked.extend(page.json()["data"])
        cursor = page.json()["meta"]["next_cursor"]
        if cursor is None:
            break
    assert cursor is None and walked == whole.json()["data"]
    assert len(walked) > int(limit)  # more than one page was walked


def test_a_cursor_of_another_query_is_a_400(make_client: MakeClient) -> None:
    api = seeded(make_client)
    params = {"group_by": "author_id", "sort": "-count.*", "limit": "1"}
    cursor = api.get("/posts/aggregate", params=params).json()["meta"]["next_cursor"]
    assert isinstance(cursor, str)
    for other in ({"sort": "count.*"}, {"group_by": "status"}, {"views__gte": "10"},
                  {"having": "count.*__gte=1"}):
        response = api.get("/posts/aggregate", params={**params, **other, "cursor": cursor})
        assert response.status_code == 400, (other, response.text)
        assert "another query" in str(problem(response)["detail"])
    with_offset = api.get("/posts/aggregate", params={**params, "offset": "1", "cursor": cursor})
    assert with_offset.status_code == 400
    assert "offset" in str(problem(with_offset)["detail"])
