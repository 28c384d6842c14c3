"""`Prefer` (RFC 7240) on writes: what the client asked for, and what was honoured.

The rule is the contract's (fastbackend_contract.tables, "Prefer"), and the Express server's
src/lib/prefer.ts follows it to the letter: every `Prefer` header, comma-separated
preferences, names case-insensitive, values as sent (quotes removed), parameters after `;`
ignored, the first occurrence of a name wins, unknown names and values ignored.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from fastbackend_contract import tables


def preferences(request: Request) -> dict[str, str]:
    """Preference name (lower case) -> its value ("" when it has none)."""
    found: dict[str, str] = {}
    for header in request.headers.getlist(tables.PREFER_HEADER):
        for item in header.split(","):
            name, _, value = item.split(";", 1)[0].partition("=")
            name = name.strip().lower()
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            if name and name not in found:
                found[name] = value
    return found


def wants_minimal(request: Request) -> bool:
    return preferences(request).get(tables.RETURN_PREFERENCE) == tables.RETURN_MINIMAL


def applied(request: Request, action: str) -> dict[str, str]:
    """The `Preference-Applied` header for a write of ``action`` (none when nothing asked for
    was honoured): `return=minimal`, or `return=representation` where it gives a body."""
    answer = tables.MINIMAL_BY_ACTION[action]
    value = preferences(request).get(tables.RETURN_PREFERENCE)
    honoured = value == tables.RETURN_MINIMAL or (
        value == tables.RETURN_REPRESENTATION and answer.representation)
    if not honoured:
        return {}
    return {tables.PREFERENCE_APPLIED_HEADER: f"{tables.RETURN_PREFERENCE}={value}"}


def minimal_response(request: Request, action: str,
                     headers: dict[str, str] | None = None) -> Response:
    """The answer to `return=minimal`: the table's status, no body, the headers it keeps."""
    answer = tables.MINIMAL_BY_ACTION[action]
    kept = {name: value for name, value in (headers or {}).items() if name in answer.headers}
    return Response(status_code=answer.status, headers={**kept, **applied(request, action)})


def preferred_count(request: Request) -> str | None:
    """A list's `Prefer: count=...` when its value is one the contract knows (else ignored)."""
    value = preferences(request).get(tables.COUNT_PREFERENCE)
    return value if value in tables.COUNT_METHOD_NAMES else None


def count_applied(preferred: str | None, parameter_given: bool,
                  counted: str | None) -> dict[str, str]:
    """`Preference-Applied: count=<how the total was counted>` when `Prefer: count` was read
    (the `count` parameter, when given, wins over it and nothing is said)."""
    if preferred is None or parameter_given:
        return {}
    method = tables.COUNT_NONE if counted is None else counted
    return {tables.PREFERENCE_APPLIED_HEADER: f"{tables.COUNT_PREFERENCE}={method}"}


def resolution(request: Request) -> str | None:
    """A create's `Prefer: resolution=merge-duplicates|ignore-duplicates` (else None)."""
    value = preferences(request).get(tables.RESOLUTION_PREFERENCE)
    return value if value in tables.RESOLUTIONS else None


def with_resolution(headers: dict[str, str], resolved: str | None) -> dict[str, str]:
    """``headers`` with `resolution=<value>` added to `Preference-Applied` (after `return`)."""
    if resolved is None:
        return headers
    said = f"{tables.RESOLUTION_PREFERENCE}={resolved}"
    before = headers.get(tables.PREFERENCE_APPLIED_HEADER)
    return {**headers, tables.PREFERENCE_APPLIED_HEADER: said if before is None
            else f"{before}, {said}"}
