"""Hand-written routes: GET /me, and a public profile in place of the generated GET /users/{id}."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from app.auth import CurrentUser, current_user
from fastapi import APIRouter, Depends, HTTPException, Request

from fastbackend_fastapi import override

router = APIRouter(tags=["profiles"])

PROFILE = sa.text(
    "SELECT u.id, u.name, count(p.id) AS posts FROM users u "
    "LEFT JOIN posts p ON p.author_id = u.id WHERE u.id = :id GROUP BY u.id, u.name")


@router.get("/me")
def me(user: Annotated[CurrentUser, Depends(current_user)]) -> dict[str, Any]:
    """Who the API key belongs to."""
    return {"id": user.id, "admin": user.admin}


@override("/users/{id}", "GET")
def public_profile(id: int, request: Request) -> dict[str, Any]:
    """A user's public profile with their number of posts (replaces the generated read)."""
    engine = request.app.state.runtime.database.engine
    with engine.connect() as connection:
        row = connection.execute(PROFILE, {"id": id}).first()
    if row is None:
        raise HTTPException(404, f"no user {id}")
    return {"id": row.id, "name": row.name, "posts": row.posts}
