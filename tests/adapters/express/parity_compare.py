"""What the parity suite compares of an answer, and the differences it allows (each with why).

An answer becomes an ``Outcome``: the status, the headers that matter to a client, and the
body (parsed JSON, or text). The allowed differences are erased from both sides before they are
compared; everything else must be equal. docs/express.md ("Differential parity") lists the same.
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.adapters.express.parity_corpus import NO_BODY, Case

# Headers a client acts on; `etag` is compared for presence only (below).
COMPARED_HEADERS = ("content-type", "location", "allow", "retry-after", "etag",
                    "x-content-type-options", "x-frame-options", "content-security-policy",
                    "referrer-policy")


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
                    "its parser failed (datetime_parsing, datetime_from_date_parsing, ...), zod's "
                    "names the format (invalid_format); both are compared as `<format>`",
    "status line": "a raw answer's status line is compared by its code: the reason phrase is "
                   "each HTTP server's own (413 Request Entity Too Large / Payload Too Large)",
}
# Cases whose answers differ on purpose, and why: the test requires them to differ still, so a
# change that makes them agree shows up (and the entry goes).
DIFFERENT_CASES: dict[str, str] = {
    "root": "GET / redirects (307) to the runtime's /docs; the Express server serves no docs "
            "page (the OpenAPI document is the openapi target's output), so / is its 404",
}
SERVER_STAMPED = {"created_at", "updated_at"}
FORMAT_CODE = re.compile(r"^(invalid_format|(date|datetime|time)(_from_date)?_parsing)$")


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


def _erase(value: Any) -> Any:
    if isinstance(value, list):
        return [_erase(item) for item in value]
    if not isinstance(value, dict):
        return value
    erased = {key: ("<server clock>" if key in SERVER_STAMPED and isinstance(item, str)
                    else _erase(item)) for key, item in value.items()}
    meta = erased.get("meta")
    if isinstance(meta, dict) and meta.get("next_cursor") is not None:
        meta["next_cursor"] = "<cursor>"
    return erased


def outcome(response: httpx.Response) -> Outcome:
    headers = {name: response.headers[name] for name in COMPARED_HEADERS if name in response.headers}
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
    return Outcome(response.status_code, headers, _erase(body), cursor, etag)


def send(client: httpx.Client, case: Case, cursor: str | None = None,
         etag: str | None = None) -> Outcome:
    if case.raw is not None:
        return _raw(str(client.base_url), case.raw)
    headers = [(name, (value + (etag or "")).encode("latin-1")) for name, value in case.headers]
    kwargs: dict[str, Any] = {"headers": headers}
    if case.body is not NO_BODY:
        kwargs["json"] = case.body
    elif case.content is not None:
        kwargs["content"] = case.content
    request = client.build_request(case.method, case.target(cursor), **kwargs)
    return outcome(client.send(request))


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
        found.append("body:\n  FastAPI " + _short(fastapi.body) + "\n  Express " + _short(express.body))
    return found


def _short(body: Any) -> str:
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return text if len(text) < 1500 else text[:1500] + "..."
