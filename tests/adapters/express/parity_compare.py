"""What the parity suite compares of an answer, and the differences it allows (each with why).

An answer becomes an ``Outcome``: the status, the headers that matter to a client, and the
body (parsed JSON, or text). The allowed differences are erased from both sides before they are
compared; everything else must be equal. docs/express.md ("Differential parity") lists the same.
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from tests import local_http
from tests.adapters.express.parity_corpus import NO_BODY, Case

# Headers a client acts on; `etag` is compared for presence only (below).
COMPARED_HEADERS = ("content-type", "location", "allow", "retry-after", "etag",
                    "x-content-type-options", "x-frame-options", "content-security-policy",
                    "referrer-policy", "x-request-id", "preference-applied")
GENERATED_ID = re.compile(r"[0-9a-f]{32}")
TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")


@dataclass(frozen=True)
class Erasure:
    """What is erased from one server's answers before they are compared (see ALLOWED)."""

    symbols: dict[str, str] = field(default_factory=dict)  # a server's generated key: its symbol
    absent: frozenset[str] = frozenset()  # fields one server does not expose (interval)
    generated: tuple[str, ...] = ()  # fields the case's write generates anew
    compared: tuple[str, ...] = ()  # the only fields of a row answer compared (all when empty)

    def value(self, key: str, item: Any) -> Any:
        if key in self.absent:
            return ABSENT
        if key in self.generated and item is not None:
            return "<generated>"
        if key in SERVER_STAMPED and isinstance(item, str):
            return "<server clock>"
        return self.symbol(item)

    def symbol(self, item: Any) -> Any:
        """A string with each of the server's generated keys in it turned into its symbol."""
        if isinstance(item, str):
            for actual, symbol in self.symbols.items():
                item = item.replace(actual, f"<<{symbol}>>")
        return item

    def location(self, text: str) -> str:
        text = self.symbol(text)
        if self.generated:
            text = text.rsplit("/", 1)[0] + "/<generated>"
        return text


ABSENT = object()


@dataclass
class Outcome:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    cursor: str | None = None  # meta.next_cursor as sent, for the next page
    etag: str | None = None  # as sent, for a later If-Match / If-None-Match


# The differences allowed everywhere, and why. Each is erased from both answers.
ALLOWED: dict[str, str] = {
    "etag": "ETags are content hashes on both servers, but not the same bytes (a different "
            "hash function over a different serialization): compared for presence only",
    "timestamps": "created_at and updated_at are stamped by each server's clock when the seed "
                  "rows are created: compared for presence only",
    "next_cursor": "a cursor carries the last row's sort values, server timestamps included, "
                   "and floats as each language writes them: compared for presence only; each "
                   "server is sent its own cursor for the next page",
    "wording": "a problem's `detail` is compared up to its first ': ' (what went wrong, and the "
               "parameter it names), and each field error by pointer and code: the explanation "
               "after it and `errors[].message` are each server's validator's or parser's own "
               "words (pydantic and the JSON parser of Python, zod and JSON.parse of Node)",
    "format codes": "a date-time, date or time that does not parse: pydantic's code names how "
                    "its parser failed (datetime_parsing, datetime_from_date_parsing, "
                    "date_from_datetime_parsing, ...), zod's "
                    "names the format (invalid_format); both are compared as `<format>`",
    "status line": "a raw answer's status line is compared by its code: the reason phrase is "
                   "each HTTP server's own (413 Request Entity Too Large / Payload Too Large)",
    "generated keys": "a key each server generates (a uuid7) differs between them: a seed row's "
                      "key is compared by the symbol the corpus gives it (each server's own "
                      "value turned back into it), in bodies and in `Location`",
    "generated": "the fields a create generates anew (uuid, cuid, ulid, nanoid, cuid2), named "
                 "by the case (`Case.generated`), and the key in `Location`: compared for "
                 "presence only",
    "request ids": "a request id a server generates (32 random hex digits) differs between "
                   "them: compared by its form, unless it is the one the client sent (its "
                   "X-Request-ID or its traceparent's trace id); a problem's request_id must be "
                   "the answer's X-Request-ID",
    "interval": "an interval field (the kitchen's Sample.duration) is not in the Express "
                "server's answers: Prisma has no interval type and its pg driver adapter "
                "refuses interval columns in results (UnsupportedNativeDataType), so Prisma "
                "Client does not expose it; it is erased from the runtime's answers",
}
# Cases whose answers differ on purpose, and why: the test requires them to differ still, so a
# change that makes them agree shows up (and the entry goes).
DIFFERENT_CASES: dict[str, str] = {
    "blog: root": "GET / redirects (307) to the runtime's /docs; the Express server serves no docs "
            "page (the OpenAPI document is the openapi target's output), so / is its 404",
    "kitchen: create sample with duration": "an interval (ALLOWED \"interval\"): the runtime "
                                            "stores it, the Express server refuses the unknown "
                                            "field (Prisma Client cannot write one)",
    "kitchen: filter by an interval": "an interval (ALLOWED \"interval\"): the runtime filters "
                                      "on it, the Express server does not know the field",
    "kitchen: create sample with microseconds": "JavaScript dates hold milliseconds: Prisma "
                                                "Client stores .123 of .123456 (the runtime all "
                                                "six digits)",
    "kitchen: patch sample json integer beyond 2^53": "a JSON column's integer beyond 2^53 is a "
                                                      "JavaScript number in Prisma Client, both "
                                                      "ways: the Express server rounds it",
}
SERVER_STAMPED = {"created_at", "updated_at"}
FORMAT_CODE = re.compile(r"^(invalid_format|(date|datetime|time)(_from_(date|datetime))?_parsing)$")


def _code(code: Any) -> Any:
    return "<format>" if isinstance(code, str) and FORMAT_CODE.match(code) else code


PROBLEM = "application/problem+json"


def _problem(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    erased = dict(body)
    if isinstance(erased.get("detail"), str):
        erased["detail"] = erased["detail"].split(": ", 1)[0]
    if isinstance(erased.get("errors"), list):
        erased["errors"] = [{key: _code(value) if key == "code" else value
                             for key, value in error.items() if key != "message"}
                            for error in erased["errors"] if isinstance(error, dict)]
    return erased


def _erase(value: Any, erasure: Erasure) -> Any:
    if isinstance(value, list):
        return [_erase(item, erasure) for item in value]
    if not isinstance(value, dict):
        return erasure.symbol(value)
    erased = {key: _erase(kept, erasure) for key, item in value.items()
              if (kept := erasure.value(key, item)) is not ABSENT}
    meta = erased.get("meta")
    if isinstance(meta, dict) and meta.get("next_cursor") is not None:
        meta["next_cursor"] = "<cursor>"
    return erased


def _sent_ids(sent: local_http.Headers) -> set[str]:
    """What the client sent that the request id must be: its X-Request-ID, its trace id."""
    found = set(sent.get_list("x-request-id"))
    for value in sent.get_list("traceparent"):
        match = TRACEPARENT.fullmatch(value.strip())
        found |= {match.group(1)} if match else set()
    return found


def _request_id(headers: dict[str, str], body: Any, sent: set[str]) -> None:
    """ALLOWED["request ids"]: a generated id becomes `<generated>`, in the header and in a
    problem body that repeats it; anything else stays as sent, to be compared."""
    actual = headers.get("x-request-id")
    if actual is None or actual in sent or not GENERATED_ID.fullmatch(actual):
        return
    headers["x-request-id"] = "<generated>"
    if isinstance(body, dict) and body.get("request_id") == actual:
        body["request_id"] = "<generated>"


def outcome(response: local_http.Answer, erasure: Erasure | None = None) -> Outcome:
    erasure = erasure or Erasure()
    headers = {name: response.headers[name] for name in COMPARED_HEADERS if name in response.headers}
    sent_ids = _sent_ids(response.sent)
    if "location" in headers:
        headers["location"] = erasure.location(headers["location"])
    etag = headers.get("etag")
    if "etag" in headers:
        headers["etag"] = "<etag>"
    body: Any = None
    cursor = None
    if response.content:
        kind = response.headers.get("content-type", "")
        body = response.json() if "json" in kind else response.text
        if isinstance(body, dict) and isinstance(body.get("meta"), dict):
            cursor = body["meta"].get("next_cursor")
        if kind == PROBLEM:
            body = _problem(body)
        elif erasure.compared and isinstance(body, dict):
            body = {key: value for key, value in body.items() if key in erasure.compared}
    _request_id(headers, body, sent_ids)
    return Outcome(response.status_code, headers, _erase(body, erasure), cursor, etag)


def send(client: local_http.Connection, case: Case, cursor: str | None = None,
         etag: str | None = None, erasure: Erasure | None = None) -> Outcome:
    """The answer to ``case`` (its symbols resolved by ``erasure``), erased for comparing."""
    erasure = replace(erasure or Erasure(), generated=case.generated, compared=case.compared)
    case = case.resolve({symbol: actual for actual, symbol in erasure.symbols.items()})
    if case.raw is not None:
        return _raw(client.base_url, case.raw)
    headers = [(name, (value + (etag or "")).encode("latin-1")) for name, value in case.headers]
    if case.body is not NO_BODY:
        answer = client.request(case.method, case.target(cursor), headers, json_body=case.body)
    else:
        answer = client.request(case.method, case.target(cursor), headers, content=case.content)
    return outcome(answer, erasure)


def _raw(base_url: str, data: bytes) -> Outcome:
    """The first status line a server writes back to a raw request (an interim 100 counts)."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(data)
        received = b""
        while b"\r\n" not in received:
            chunk = connection.recv(4096)
            if not chunk:
                break
            received += chunk
    line = received.split(b"\r\n", 1)[0].decode("latin-1")
    return Outcome(int(line.split()[1]) if line else 0)  # the reason phrase is each server's


def compare(fastapi: Outcome, express: Outcome) -> list[str]:
    """Each difference as one line; empty when the answers agree."""
    found = []
    if fastapi.status != express.status:
        found.append(f"status: FastAPI {fastapi.status}, Express {express.status}")
    for name in sorted(set(fastapi.headers) | set(express.headers)):
        ours, theirs = fastapi.headers.get(name), express.headers.get(name)
        if ours != theirs:
            found.append(f"header {name}: FastAPI {ours!r}, Express {theirs!r}")
    if fastapi.body != express.body:
        found.append("body:" + "".join(f"\n  at {pointer or '/'}: FastAPI {_short(ours)}, Express "
                                       f"{_short(theirs)}" for pointer, ours, theirs
                                       in _differences(fastapi.body, express.body)[:6]))
    return found


def _differences(ours: Any, theirs: Any, pointer: str = "") -> list[tuple[str, Any, Any]]:
    """Where two JSON values differ, by JSON Pointer (the first few)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return [found for key in sorted(set(ours) | set(theirs))
                for found in _differences(ours.get(key, "<absent>"), theirs.get(key, "<absent>"),
                                          f"{pointer}/{key}")]
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        return [found for index, (one, other) in enumerate(zip(ours, theirs, strict=True))
                for found in _differences(one, other, f"{pointer}/{index}")]
    return [] if ours == theirs else [(pointer, ours, theirs)]


def _short(body: Any) -> str:
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return text if len(text) < 600 else text[:600] + "..."
