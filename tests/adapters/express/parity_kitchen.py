"""The parity corpus of the kitchen IR (tests/golden/kitchen.ir.json): every scalar type, a
composite key (Region: country, code) with a composite foreign key to it (Store), a
self-reference (Employee.manager), a one-to-one (Badge), many-to-many (Skill), generated
defaults and a uuid7 key (Sample).

Generated from the IR (parity_corpus.field_cases, type_write_cases) with the values below, then
written out: composite-key reads, updates and deletes, relation routes and quantifiers, values
at the edges of each type in filters, and the 404/409/422 problems. A Sample's key is a uuid7
each server makes: the seed names each Sample by a symbol (``<<full>>``), and the fields a
created row generates are compared for presence (``Case.generated``). Sample.duration, an
interval, is not in the generated cases: the Express server does not expose it (ALLOWED
"interval"); the cases that send one are DIFFERENT_CASES.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

from fastbackend_ir import IR
from tests.adapters.express.parity_corpus import (
    MAX_BULK_ROWS,
    Case,
    Seed,
    Values,
    answered_by_the_database,
    field_cases,
    get,
    json_case,
    type_write_cases,
    where,
)

TOKEN = "0f5b2b1e-8c4e-4a4a-9d2d-111111111111"
BLOB = base64.b64encode(bytes(range(256))).decode()
GENERATED = {"slug": "cseedslug0000000000000001", "ref": "01HZY0000000000000000000AA",
             "short": "short_0001", "c2": "seedc2aaaaaaaaaaaaaaaaaa"}


def _sample(label: str, number: int, **values: object) -> dict[str, object]:
    """A sample with its generated text fields given (each server would make its own)."""
    given = {name: value[:-1] + str(number) for name, value in GENERATED.items()}
    return {"label": label, **given, **values}


SAMPLES = {
    "full": _sample("full", 1, count=-2**31, big=2**53 + 1, ratio=0.1, price="-12345678.90",
                    happened_at="2024-05-01T12:30:00.123+02:00", local_time="2024-05-01T12:30:00",
                    day="2024-02-29", at_time="23:59:59.500000", token=TOKEN,
                    payload={"nested": [1, 2.5, "three", None, True], "empty": {}},
                    blob=BLOB, color="red", secret="hunter2"),
    "other": _sample("other", 2, count=7, big=-2**63, ratio=-1.5e300, price="0.10",
                     active=False, happened_at="2024-01-01T00:00:00Z",
                     local_time="1999-12-31T23:59:59", day="1999-12-31", at_time="00:00:00",
                     token="ffffffff-ffff-4fff-8fff-ffffffffffff", payload=[1, "two"], blob="",
                     color="blue"),
    "unicode": _sample("ünï ✓ 😀", 3, count=0, payload={"k": "😀", "a": {"b": {"c": [[{}]]}}},
                       color="green", big=2**63 - 1, price="99999999.99"),
    "empty": _sample("empty", 4),
    "edge": _sample("edge", 5),
}
REGIONS = [
    {"country": "fr", "code": "idf", "name": "Île-de-France"},
    {"country": "fr", "code": "paca", "name": "Provence"},
    {"country": "us", "code": "ca", "name": "California"},
    {"country": "de", "code": "by,2", "name": "Bayern"},  # a comma in the key's last part
]
STORES = [
    {"name": "Paris 1", "region_country": "fr", "region_code": "idf"},
    {"name": "Nice", "region_country": "fr", "region_code": "paca"},
    {"name": "SF", "region_country": "us", "region_code": "ca"},
]
EMPLOYEES = [
    {"name": "Boss"},
    {"name": "Ann", "manager_id": 1, "store_id": 1},
    {"name": "Bob", "manager_id": 2, "store_id": 1},
    {"name": "Cy", "manager_id": 1, "store_id": 3},
    {"name": "Dee", "store_id": None},
]
BADGES = [{"code": "b-one", "employee_id": 2}, {"code": "b-two", "employee_id": 3}]
SKILLS = [{"name": "sql"}, {"name": "python"}, {"name": "go"}]
LINKS = [(2, 1), (2, 2), (3, 1), (4, 3)]
SEED: list[Seed] = [
    *[Seed("/regions", row) for row in REGIONS],
    *[Seed("/stores", row) for row in STORES],
    *[Seed("/employees", row) for row in EMPLOYEES],
    *[Seed("/badges", row) for row in BADGES],
    *[Seed("/skills", row) for row in SKILLS],
    *[Seed(f"/employees/{employee}/skills/{skill}", method="PUT") for employee, skill in LINKS],
    *[Seed("/samples", row, symbol=symbol) for symbol, row in SAMPLES.items()],
]

POOL: dict[str, tuple[str, str]] = {
    "Sample.id": ("<<full>>", "<<other>>"), "Sample.label": ("full", "other"),
    "Sample.count": ("7", "-2147483648"), "Sample.big": ("9007199254740993", "-1"),
    "Sample.ratio": ("0.1", "2.5"), "Sample.price": ("-12345678.90", "0.1"),
    "Sample.active": ("true", "false"),
    "Sample.happened_at": ("2024-05-01T10:30:00.123Z", "2024-01-01T00:00:00+01:00"),
    "Sample.local_time": ("2024-05-01T12:30:00", "2000-01-01T00:00:00"),
    "Sample.day": ("2024-02-29", "1999-12-31"), "Sample.at_time": ("23:59:59.5", "00:00:00"),
    "Sample.token": (TOKEN, "ffffffff-ffff-4fff-8fff-ffffffffffff"),
    "Sample.payload": ("{}", "[1]"), "Sample.blob": (BLOB[:8], ""),
    "Sample.color": ("red", "blue"), "Sample.secret": ("hunter2", "x"),
    "Sample.slug": ("cseedslug0000000000000001", "c"), "Sample.ref": ("01HZY0000000000000000000A1", "0"),
    "Sample.short": ("short_0001", "short_0002"), "Sample.c2": ("seedc2aaaaaaaaaaaaaaaaa1", "x"),
    "Employee.name": ("Ann", "Bob"), "Employee.manager_id": ("1", "2"),
    "Employee.store_id": ("1", "3"),
    "Region.country": ("fr", "us"), "Region.code": ("idf", "by,2"),
    "Region.name": ("Île-de-France", "California"),
    "Store.name": ("Paris 1", "Nice"), "Store.region_country": ("fr", "de"),
    "Store.region_code": ("idf", "ca"),
    "Badge.code": ("b-one", "b-two"), "Badge.employee_id": ("2", "3"),
    "Skill.name": ("sql", "go"),
}
BY_TYPE: dict[str, tuple[str, str]] = {
    "integer": ("2", "3"), "bigint": ("2", "3"),
    # server-set timestamps differ between the servers: bounds that hold for every row
    "datetime": ("2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"),
}
BAD_VALUE: dict[str, str | None] = {
    "integer": "abc", "bigint": "9223372036854775808", "float": "x1", "decimal": "1.2.3",
    "boolean": "maybe", "datetime": "yesterday", "date": "2024-02-30", "time": "25:00",
    "uuid": "not-a-uuid", "bytes": "!!!", "enum": "nope", "json": None, "string": None,
}
EDGES: dict[str, tuple[object, ...]] = {
    "integer": (2**31 - 1, -2**31, 3.0),
    "bigint": (2**53 + 1, 2**63 - 1, -2**63),
    "float": (0.1, 1e308, 5e-324, -0.0, 3),
    "decimal": ("99999999.99", "-0.01", 0.1, "12345678.905", "1E+2", 12),
    "boolean": (True, False),
    "datetime": ("2024-05-01T12:30:00+05:45", "1970-01-01T00:00:00Z",
                 "2024-12-31T23:59:59.999-12:00", "2024-06-01T00:00:00"),
    "date": ("2024-02-29", "0001-01-01", "9999-12-31"),
    "time": ("00:00:00", "23:59:59.999", "12:00"),
    "uuid": ("00000000-0000-0000-0000-000000000000", "FFFFFFFF-FFFF-4FFF-8FFF-FFFFFFFFFFFF"),
    "json": ({"a": {"b": {"c": {"d": [1, {"e": None}]}}}}, [], "text", 9007199254740991,
             1.5, False, "ünï 😀"),
    "bytes": (base64.b64encode(b"\x00\xff").decode(), ""),
    "enum": ("green", "red"),
    "string": ("ünïcödé ✓ 😀", ""),
}
BAD_WRITES: dict[str, tuple[object, ...]] = {
    "integer": (2**31, 1.5, "1", True),
    "bigint": (2**63, -2**63 - 1, 1.5, True, "12"),
    "float": ("x", True, "1.5"),
    "decimal": ("abc", "100000000.00", True, "NaN"),
    "boolean": ("yes", 1),
    "datetime": ("2024-13-01T00:00:00Z", 1714566600),
    "date": ("2023-02-29", "2024-1-1", "2024-01-01T00:00:00Z"),
    "time": ("24:00:00", "noon"),
    "uuid": ("xyz", 5),
    "bytes": ("not base64!", 5),
    "enum": ("RED", 1),
    "string": (5, "a\u0000b"),
}
GENERATED_FIELDS = ("id", "slug", "ref", "short", "c2")  # a Sample's generated defaults
VALUES = Values(POOL, BY_TYPE, BAD_VALUE, EDGES, BAD_WRITES, frozenset({"interval"}))
# the row each entity's type writes go to
TARGETS = {"Sample": "/samples/<<edge>>", "Employee": "/employees/5", "Region": "/regions/us,ca",
           "Store": "/stores/2", "Badge": "/badges/2", "Skill": "/skills/3"}


def key_cases() -> Iterator[Case]:
    """Composite, uuid and 64-bit keys in paths; relation routes of every kind."""
    for target in ("/regions/fr,idf", "/regions/de,by,2", "/regions/de,by%2C2", "/regions/fr",
                   "/regions/fr,", "/regions/,idf", "/regions/FR,idf", "/regions/fr,nope",
                   "/regions/fr,idf,x", "/regions/fr%2Cidf", "/regions/fr,idf/stores",
                   "/regions/us,ca/stores", "/regions/fr,nope/stores", "/stores/1/region",
                   "/stores/1/employees", "/stores/99/region", "/employees/2/manager",
                   "/employees/1/manager", "/employees/1/reports", "/employees/2/badge",
                   "/employees/1/badge", "/badges/1/employee", "/employees/2/skills",
                   "/skills/1/employees", "/employees/9007199254740993",
                   "/employees/9223372036854775808", "/employees/1.0", "/employees/-1",
                   "/samples/<<full>>", "/samples/<<unicode>>", "/samples/not-a-uuid",
                   "/samples/00000000-0000-0000-0000-000000000000", "/samples/<<full>>x",
                   "/skills/1/employees/2", "/employees/1/store"):
        yield get(f"GET {target}", target)
    yield get("regions sorted by key desc", "/regions", ("sort", "-country,-code"))
    yield get("region fields", "/regions/fr,idf", ("fields", "name"))
    yield get("region include", "/regions/fr,idf", ("include", "stores.employees"))


def query_cases() -> Iterator[Case]:
    """Relation quantifiers, dot paths, include, cursors and values at the edges of types."""
    wheres: list[tuple[str, str, object]] = [
        ("region is", "/stores", {"region": {"is": {"country": "fr"}}}),
        ("region plain", "/stores", {"region": {"code": {"in": ["idf", "ca"]}}}),
        ("region two keys", "/stores", {"region": {"country": "fr", "code": "paca"}}),
        ("manager is", "/employees", {"manager": {"is": {"name": "Boss"}}}),
        ("manager null", "/employees", {"manager": None}),
        ("manager of manager", "/employees", {"manager": {"manager": {"name": "Boss"}}}),
        ("reports some", "/employees", {"reports": {"some": {}}}),
        ("reports none", "/employees", {"reports": {"none": {}}}),
        ("reports every", "/employees", {"reports": {"every": {"store_id": 1}}}),
        ("skills every", "/employees", {"skills": {"every": {"name": "sql"}}}),
        ("skills some", "/employees", {"skills": {"some": {"name": {"in": ["go", "python"]}}}}),
        ("badge is null", "/employees", {"badge": {"is": None}}),
        ("badge isNot null", "/employees", {"badge": {"isNot": None}}),
        ("badge code", "/employees", {"badge": {"code": "b-one"}}),
        ("store region country", "/employees", {"store": {"region": {"country": "us"}}}),
        ("stores some", "/regions", {"stores": {"some": {"employees": {"some": {}}}}}),
        ("stores none", "/regions", {"stores": {"none": {}}}),
        ("big beyond 2^53", "/samples", {"big": 9007199254740993}),
        ("big gt 2^53", "/samples", {"big": {"gt": 9007199254740992}}),
        ("big max", "/samples", {"big": {"gte": 9223372036854775807}}),
        ("big beyond int64", "/samples", {"big": 9223372036854775808}),
        ("big as string", "/samples", {"big": "9007199254740993"}),
        ("count beyond int32", "/samples", {"count": 2147483648}),
        ("price number", "/samples", {"price": -12345678.9}),
        ("price many digits", "/samples", {"price": {"lt": "0.100000000000000000001"}}),
        ("price exponent", "/samples", {"price": {"gt": "-1E+1"}}),
        ("ratio", "/samples", {"ratio": {"lt": 0}}),
        ("ratio integer", "/samples", {"ratio": 0}),
        ("active string", "/samples", {"active": "true"}),
        ("payload equals object", "/samples", {"payload": {"equals": {}}}),
        ("payload path", "/samples", {"payload": {"path": ["k"], "equals": "x"}}),
        ("happened_at offset", "/samples", {"happened_at": "2024-05-01T12:30:00.123+02:00"}),
        ("happened_at naive", "/samples", {"happened_at": {"gt": "2024-01-01T00:00:00"}}),
        ("local_time offset", "/samples", {"local_time": {"gt": "2024-01-01T00:00:00Z"}}),
        ("day range", "/samples", {"day": {"gte": "2000-01-01", "lt": "2025-01-01"}}),
        ("at_time lt", "/samples", {"at_time": {"lt": "12:00:00"}}),
        ("token upper", "/samples", {"token": TOKEN.upper()}),
        ("color in", "/samples", {"color": {"in": ["red", "green"]}}),
        ("color by db name", "/samples", {"color": "RED"}),
        ("label unicode", "/samples", {"label": {"contains": "✓"}}),
        ("label insensitive unicode", "/samples", {"label": {"startsWith": "ÜNÏ",
                                                              "mode": "insensitive"}}),
        ("id in", "/samples", {"id": {"in": ["<<full>>", "<<other>>"]}}),
    ]
    for name, path, document in wheres:
        yield where(f"where {name}", path, document)
    filters: list[tuple[str, str, tuple[str, str]]] = [
        ("big exact", "/samples", ("big", "9007199254740993")),
        ("big gt", "/samples", ("big__gt", "9007199254740992")),
        ("big min", "/samples", ("big__lte", "-9223372036854775808")),
        ("price fewer digits", "/samples", ("price", "-12345678.9")),
        ("price in", "/samples", ("price__in", "0.1,99999999.99")),
        ("ratio exponent", "/samples", ("ratio__lt", "-1e299")),
        ("active 1", "/samples", ("active", "1")),
        ("active False", "/samples", ("active", "False")),
        ("happened_at offset", "/samples", ("happened_at__lt", "2024-05-01T12:30:00.124+02:00")),
        ("happened_at plus", "/samples", ("happened_at", "2024-05-01T12:30:00.123+02:00")),
        ("day gt", "/samples", ("day__gt", "2000-01-01")),
        ("at_time", "/samples", ("at_time", "23:59:59.500")),
        ("token in", "/samples", ("token__in", f"{TOKEN},bad")),
        ("blob", "/samples", ("blob", BLOB)),
        ("id symbol", "/samples", ("id", "<<full>>")),
        ("employee id beyond 2^53", "/employees", ("id", "9007199254740993")),
        ("manager.name", "/employees", ("manager.name", "Boss")),
        ("manager.manager.name", "/employees", ("manager.manager.name__isnull", "false")),
        ("store.region.name", "/employees", ("store.region.name__icontains", "ÎLE")),
        ("region.name", "/stores", ("region.name", "California")),
        ("skills.name", "/employees", ("skills.name", "sql")),
        ("reports.name", "/employees", ("reports.name__in", "Ann,Cy")),
        ("employees.badge.code", "/stores", ("employees.badge.code", "b-two")),
    ]
    for name, path, pair in filters:
        yield get(f"filter {name}", path, pair)
    for path, value in (("/employees", "manager,reports,badge,skills,store.region"),
                        ("/stores", "region,employees"), ("/regions", "stores.employees"),
                        ("/badges", "employee.skills"), ("/skills", "employees.manager"),
                        ("/samples", "nope")):
        yield get(f"include {path} {value}", path, ("include", value))
    for path, sort in (("/employees", "manager.name,id"), ("/employees", "-store.region.name,id"),
                       ("/stores", "-region.name"), ("/samples", "-big"), ("/samples", "price"),
                       ("/samples", "-day,label"), ("/samples", "-active,label"), ("/regions", "")):
        first = f"cursor {path} sort={sort} 1"
        query = (("limit", "2"), *([("sort", sort)] if sort else []))
        yield get(first, path, *query)
        yield get(f"cursor {path} sort={sort} 2", path, *query, cursor_from=first)
    # Offset pages through a to-one relation's key: across the rows with a related row and those
    # without (MySQL reads them apart: lib/pages.ts), and past the first of them.
    for sort, offset in (("manager.name,id", "2"), ("manager.name,id", "4"), ("-manager.name", "1"),
                         ("-store.region.name,-id", "3"), ("store.region.name,-id", "2")):
        yield get(f"page /employees sort={sort} offset={offset}", "/employees", ("limit", "2"),
                  ("sort", sort), ("offset", offset))
    yield Case("POST /regions/query", "POST", "/regions/query",
               body={"where": {"country": "fr"}, "sort": "-code", "include": ["stores"]})
    yield Case("POST /samples/query big", "POST", "/samples/query",
               body={"big": "9007199254740993", "fields": "id,label,big"})


def write_cases() -> Iterator[Case]:
    """Composite-key writes, self-reference, one-to-one and m:n, and samples of every type."""
    yield json_case("create region", "POST", "/regions",
                    {"country": "it", "code": "lom", "name": "Lombardia"})
    yield json_case("create region comma", "POST", "/regions",
                    {"country": "it", "code": "a,b/c", "name": "Comma"})
    yield get("read region comma", "/regions/it,a,b%2Fc")
    yield json_case("create region again", "POST", "/regions",
                    {"country": "it", "code": "lom", "name": "Again"})
    yield json_case("create region missing code", "POST", "/regions", {"country": "it", "name": "x"})
    yield json_case("create region country too long", "POST", "/regions",
                    {"country": "ita", "code": "x", "name": "x"})
    yield json_case("patch region", "PATCH", "/regions/it,lom", {"name": "Lombardy"})
    yield json_case("patch region same key", "PATCH", "/regions/it,lom",
                    {"country": "it", "code": "lom", "name": "Lombardia"})
    yield json_case("patch region other key", "PATCH", "/regions/it,lom", {"code": "mil"})
    yield json_case("patch region missing", "PATCH", "/regions/it,nope", {"name": "x"})
    yield json_case("put region", "PUT", "/regions/it,lom", {"country": "it", "code": "lom",
                                                              "name": "Lombardia 2"})
    yield json_case("put region other key", "PUT", "/regions/it,lom",
                    {"country": "xx", "code": "lom", "name": "x"})
    yield json_case("put region no key", "PUT", "/regions/it,lom", {"name": "x"})
    yield json_case("create store", "POST", "/stores",
                    {"name": "Milan", "region_country": "it", "region_code": "lom"})
    yield json_case("create store missing region", "POST", "/stores",
                    {"name": "x", "region_country": "zz", "region_code": "none"})
    yield json_case("create store half a foreign key", "POST", "/stores",
                    {"name": "x", "region_country": "fr"})
    yield json_case("child create store", "POST", "/regions/fr,idf/stores", {"name": "Paris 2"})
    yield json_case("child create store with fk", "POST", "/regions/fr,idf/stores",
                    {"name": "x", "region_code": "idf"})
    yield json_case("child create store missing region", "POST", "/regions/fr,nope/stores",
                    {"name": "x"})
    yield json_case("patch store region", "PATCH", "/stores/1",
                    {"region_country": "us", "region_code": "ca"})
    yield json_case("patch store region half", "PATCH", "/stores/1", {"region_code": "paca"})
    yield json_case("patch store missing region", "PATCH", "/stores/1", {"region_code": "nope"})
    yield Case("delete region with stores", "DELETE", "/regions/fr,paca")
    yield Case("delete store", "DELETE", "/stores/4")
    yield Case("delete region", "DELETE", "/regions/it,lom")
    yield Case("delete region again", "DELETE", "/regions/it,lom")
    yield Case("delete region comma", "DELETE", "/regions/it,a,b%2Fc")
    yield json_case("create report", "POST", "/employees/1/reports", {"name": "New"})
    yield json_case("create report with manager", "POST", "/employees/1/reports",
                    {"name": "x", "manager_id": 2})
    yield json_case("manage oneself", "PATCH", "/employees/5", {"manager_id": 5})
    yield json_case("missing manager", "PATCH", "/employees/5", {"manager_id": 999})
    yield json_case("manager beyond 2^53", "PATCH", "/employees/5",
                    {"manager_id": 9007199254740993})
    yield Case("delete a manager", "DELETE", "/employees/1")
    yield json_case("create badge taken", "POST", "/badges", {"code": "b3", "employee_id": 2})
    yield Case("create badge generated", "POST", "/badges", body={"employee_id": 4},
               generated=("code",))
    yield json_case("create badge missing employee", "POST", "/badges",
                    {"code": "b4", "employee_id": 999})
    yield json_case("create skill linked", "POST", "/employees/5/skills", {"name": "rust"})
    yield json_case("create skill linked taken", "POST", "/employees/5/skills", {"name": "sql"})
    yield Case("link skill", "PUT", "/employees/5/skills/1")
    yield Case("link skill twice", "PUT", "/employees/5/skills/1")
    yield Case("link missing skill", "PUT", "/employees/5/skills/999")
    yield Case("link bad skill key", "PUT", "/employees/5/skills/x")
    yield get("skills of 5", "/employees/5/skills")
    yield Case("unlink skill", "DELETE", "/employees/5/skills/1")
    yield Case("unlink skill again", "DELETE", "/employees/5/skills/1")
    yield json_case("bulk skills", "POST", "/skills/bulk", [{"name": "b1"}, {"name": "b2"}])
    yield json_case("bulk skills duplicate", "POST", "/skills/bulk", [{"name": "b3"}, {"name": "sql"}])
    yield from sample_cases()


def sample_cases() -> Iterator[Case]:
    """Samples: every type on create, generated values, uuid-keyed updates and deletes."""
    full = {**SAMPLES["full"], "label": "new full", "slug": "c-new", "c2": "new-c2"}
    yield Case("create sample", "POST", "/samples", body=full, generated=("id",))
    yield Case("create sample defaults", "POST", "/samples", body={"label": "new defaults"},
               generated=GENERATED_FIELDS)
    yield json_case("create sample label taken", "POST", "/samples", {"label": "full"})
    yield json_case("create sample id given", "POST", "/samples",
                    {"label": "x", "id": "00000000-0000-0000-0000-000000000000"})
    yield json_case("create sample missing label", "POST", "/samples", {"count": 1})
    yield json_case("create sample big beyond int64", "POST", "/samples",
                    {"label": "x", "big": 2**63})
    yield json_case("create sample ref too long", "POST", "/samples", {"label": "x", "ref": "r" * 27})
    yield Case("create sample with duration", "POST", "/samples", generated=("id",),
               body=_sample("with duration", 6, duration="P3DT4H5M6S"))
    yield Case("create sample with microseconds", "POST", "/samples", generated=("id",),
               body=_sample("micro", 7, happened_at="2024-05-01T12:30:00.123456Z"))
    yield get("filter by an interval", "/samples", ("duration__gt", "P1D"))
    yield json_case("patch sample secret", "PATCH", "/samples/<<full>>", {"secret": "s2"})
    yield json_case("patch sample null label", "PATCH", "/samples/<<full>>", {"label": None})
    yield json_case("patch sample json integer beyond 2^53", "PATCH", "/samples/<<unicode>>",
                    {"payload": {"n": 12345678901234567890}})
    yield json_case("patch sample clear all", "PATCH", "/samples/<<unicode>>",
                    dict.fromkeys(("big", "ratio", "price", "happened_at", "local_time", "day",
                                   "at_time", "token", "payload", "blob", "color")))
    yield json_case("patch sample missing", "PATCH", "/samples/00000000-0000-0000-0000-000000000000",
                    {"count": 1})
    yield json_case("put sample", "PUT", "/samples/<<empty>>", {"label": "empty again"})
    yield get("sample after put", "/samples/<<empty>>")
    yield Case("delete sample", "DELETE", "/samples/<<other>>")
    yield Case("delete sample again", "DELETE", "/samples/<<other>>")
    yield Case("delete sample bad key", "DELETE", "/samples/nope")


def upsert_and_bulk_cases() -> Iterator[Case]:
    """PUT to a new natural key creates it (a composite key: Region), and bulk writes by filter
    on a composite key."""
    body = {"country": "nz", "code": "akl", "name": "Auckland"}
    yield json_case("put region new key", "PUT", "/regions/nz,akl", body)
    yield json_case("put region new key again", "PUT", "/regions/nz,akl", {**body, "name": "AKL"})
    yield json_case("put region new key minimal", "PUT", "/regions/nz,wlg",
                    {"country": "nz", "code": "wlg", "name": "Wellington"},
                    ("prefer", "return=minimal"))
    yield json_case("put region new key If-Match", "PUT", "/regions/nz,chc",
                    {"country": "nz", "code": "chc", "name": "x"}, ("if-match", "*"))
    yield json_case("put region new key other key", "PUT", "/regions/nz,chc",
                    {"country": "au", "code": "chc", "name": "x"})
    yield json_case("put region new key missing name", "PUT", "/regions/nz,chc",
                    {"country": "nz", "code": "chc"})
    yield json_case("put employee missing key", "PUT", "/employees/999", {"name": "x"})
    yield Case("bulk patch regions", "PATCH", "/regions", (("country", "nz"),),
               body={"name": "NZ"}, headers=(("prefer", "return=representation"),))
    yield Case("bulk patch regions key", "PATCH", "/regions", (("country", "nz"),),
               body={"code": "x"})
    yield Case("bulk delete regions with stores", "DELETE", "/regions", (("all", "true"),))
    yield Case("bulk delete regions", "DELETE", "/regions", (("country", "nz"),),
               headers=(("prefer", "return=representation"),))
    # Past limits.max_bulk_rows (parity_corpus.MAX_BULK_ROWS) with a region a store refers to:
    # the database's refusal (409) comes first, as on the runtime (routes/bulk.py); past the
    # limit alone, 400 and nothing deleted; then deleted in parts under it.
    codes = [f"r{i}" for i in range(MAX_BULK_ROWS + 1)]
    yield json_case("bulk create many regions", "POST", "/regions/bulk",
                    [{"country": "zz", "code": code, "name": code} for code in codes])
    yield json_case("create a store in one of many regions", "POST", "/stores",
                    {"name": "ZZ", "region_country": "zz", "region_code": "r0"})
    yield Case("bulk delete too many regions, one with a store", "DELETE", "/regions",
               (("country", "zz"),))
    yield Case("bulk delete the store of many regions", "DELETE", "/stores", (("name", "ZZ"),))
    yield Case("bulk delete too many regions", "DELETE", "/regions", (("country", "zz"),))
    half = len(codes) // 2
    for part in (codes[:half], codes[half:]):
        yield Case(f"bulk delete regions {part[0]}..{part[-1]}", "DELETE", "/regions",
                   (("country", "zz"), ("code__in", ",".join(part))))
    yield get("regions after upserts and bulk writes", "/regions", ("sort", "country,code"))


def corpus(ir: IR) -> list[Case]:
    return [*field_cases(ir, VALUES), *key_cases(), *query_cases(), *write_cases(),
            *upsert_and_bulk_cases(),
            *type_write_cases(ir, VALUES, TARGETS), SAMPLES_AFTER_WRITES]


# the rows of the DIFFERENT_CASES writes left out
SAMPLES_AFTER_WRITES = Case("samples after writes", "GET", "/samples",
                            (("label__notin", "micro,with duration"),), generated=GENERATED_FIELDS)


def database_corpus(ir: IR) -> list[Case]:
    """The cases whose answers depend on the database, in the corpus's order: of the generated
    field cases the sorts and text comparisons (parity_corpus.answered_by_the_database), every
    written-out case (composite keys, relation paths and quantifiers, cursors, values at the
    edges of types in filters, every write and its errors, upserts), and the edge values a PATCH
    stores per type (the refused ones are 422s before the database)."""
    return [*(case for case in field_cases(ir, VALUES) if answered_by_the_database(ir, case)),
            *key_cases(), *query_cases(), *write_cases(), *upsert_and_bulk_cases(),
            *(case for case in type_write_cases(ir, VALUES, TARGETS) if " edge " in case.name),
            SAMPLES_AFTER_WRITES]
