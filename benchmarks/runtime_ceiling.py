"""The stack's ceiling: FastAPI returning a constant JSON body from memory, no database."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response

BODY = (b'{"id":1,"title":"Hello","body":"A constant post","status":"published","author_id":1,'
        b'"published_at":null,"created_at":"2024-01-01T00:00:00Z",'
        b'"updated_at":"2024-01-01T00:00:00Z"}')
app = FastAPI()


@app.get("/posts/{post_id}")
async def read_post(post_id: str) -> Response:
    return Response(BODY, media_type="application/json")
