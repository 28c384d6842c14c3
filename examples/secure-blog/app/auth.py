"""API-key auth: the `X-API-Key` header names the current user.

Keys come from SECURE_BLOG_API_KEYS ("key:user_id[:admin]", comma-separated); without it, the demo
keys below. A real project would look the key up in its database or verify a signed token here:
the runtime only needs dependencies that return a user or raise 401 / 403.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import APIKeyHeader

DEMO_KEYS = "admin-key:1:admin,alice-key:2"
api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    admin: bool


def known_keys() -> dict[str, CurrentUser]:
    found = {}
    for entry in os.environ.get("SECURE_BLOG_API_KEYS", DEMO_KEYS).split(","):
        key, user_id, *role = entry.strip().split(":")
        found[key] = CurrentUser(int(user_id), role == ["admin"])
    return found


def current_user(key: Annotated[str | None, Depends(api_key)]) -> CurrentUser:
    if key is None:
        raise HTTPException(401, "send your API key in X-API-Key",
                            headers={"WWW-Authenticate": "ApiKey"})
    user = known_keys().get(key)
    if user is None:
        raise HTTPException(401, "unknown API key", headers={"WWW-Authenticate": "ApiKey"})
    return user


def require_admin(user: Annotated[CurrentUser, Depends(current_user)]) -> CurrentUser:
    if not user.admin:
        raise HTTPException(403, "administrators only")
    return user


def current_user_id(user: Annotated[CurrentUser, Depends(current_user)]) -> int:
    return user.id
