"""The baseline: the blog's posts API written by hand, the way FastAPI's tutorials teach it.

SQLAlchemy 2 ORM models, a Session per request through Depends, pydantic response models with
from_attributes, sync endpoints (FastAPI runs them in its thread pool). Same tables, the same
response shapes and the same connection pool as the generated runtime (10 connections, no
overflow), so the benchmark compares like with like.

The pool is the runtime's, not create_engine's default (5 kept, 10 more opened and closed
again): under 16 concurrent clients that default connects and disconnects on most requests,
which cost this app 2-2.5x of its MariaDB throughput (264-321 -> 633-834 req/s on read-by-id,
2026-12-07) and made its ratios measure a pool setting rather than the code.
Serve: DATABASE_URL=... uvicorn benchmarks.handwritten_blog:app
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Enum as SAEnum
from sqlalchemy import ForeignKey, String, Text, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///.fastbackend/app.db")


class Status(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class Base(DeclarativeBase):
    pass


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        SAEnum("draft", "published", "archived", name="post_status"), default="draft")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())
    updated_at: Mapped[datetime] = mapped_column(default=func.current_timestamp(),
                                                 onupdate=func.current_timestamp())


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)


class PostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=200)
    body: str
    status: Status = Status.draft
    author_id: int
    published_at: datetime | None = None


class PostPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, max_length=200)
    body: str | None = None
    status: Status | None = None
    author_id: int | None = None
    published_at: datetime | None = None


class PostOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    body: str
    status: Status
    author_id: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class Meta(BaseModel):
    total: int | None
    limit: int
    offset: int
    next_cursor: str | None = None


class PostPage(BaseModel):
    data: list[PostOut]
    meta: Meta


_connect_args = {"check_same_thread": False} if DATABASE_URL.startswith("sqlite") else {}
engine = create_engine(DATABASE_URL, connect_args=_connect_args, pool_size=10, max_overflow=0)
SessionLocal = sessionmaker(engine, expire_on_commit=False)
app = FastAPI()


def get_session() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@app.get("/posts/{post_id}", response_model=PostOut)
def read_post(post_id: int, session: SessionDep) -> Any:
    post = session.get(Post, post_id)
    if post is None:
        raise HTTPException(404, "post not found")
    return post


@app.get("/posts", response_model=PostPage)
def list_posts(session: SessionDep, status: Status | None = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: int = 0) -> Any:
    query = select(Post)
    count = select(func.count()).select_from(Post)
    if status is not None:
        query = query.where(Post.status == status.value)
        count = count.where(Post.status == status.value)
    posts = session.scalars(query.order_by(Post.id).limit(limit).offset(offset)).all()
    total = session.scalar(count)
    return {"data": posts, "meta": {"total": total, "limit": limit, "offset": offset}}


@app.post("/posts", response_model=PostOut, status_code=201)
def create_post(payload: PostIn, session: SessionDep) -> Any:
    post = Post(**payload.model_dump())
    session.add(post)
    session.commit()
    session.refresh(post)
    return post


@app.patch("/posts/{post_id}", response_model=PostOut)
def update_post(post_id: int, payload: PostPatch, session: SessionDep) -> Any:
    post = session.get(Post, post_id)
    if post is None:
        raise HTTPException(404, "post not found")
    for name, value in payload.model_dump(exclude_unset=True).items():
        setattr(post, name, value)
    session.commit()
    session.refresh(post)
    return post
