"""Entity tags computed from a row's content, so every worker and instance agrees on them."""

from __future__ import annotations

import hashlib


def etag_of(body: bytes, unexposed: bytes = b"") -> str:
    """A strong ETag of the representation (plus columns the API does not show, if any)."""
    digest = hashlib.blake2b(body, digest_size=12)
    if unexposed:
        digest.update(unexposed)
    return f'"{digest.hexdigest()}"'


def _tags(header: str) -> list[str]:
    return [part.strip() for part in header.split(",")]


def _weakened(tags: list[str]) -> list[str]:
    return [tag[2:] if tag.startswith("W/") else tag for tag in tags]


def if_match_fails(header: str | None, current: str | None) -> bool:
    """RFC 9110 If-Match with strong comparison (§13.1.1): fails when given and no listed tag
    (or '*') is the current one; a weak tag ``W/"..."`` never matches."""
    if header is None:
        return False
    if current is None:
        return True
    tags = _tags(header)
    return "*" not in tags and current not in tags


def if_none_match_hits(header: str | None, current: str) -> bool:
    """RFC 9110 If-None-Match with weak comparison: True means answer 304."""
    if header is None:
        return False
    tags = _weakened(_tags(header))
    return "*" in tags or current in tags
