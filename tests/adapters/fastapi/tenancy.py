"""A small multi-tenant project for the auth and scope tests: models, auth module, config."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fastbackend.pipeline import compile_path
from fastbackend_ir import dumps

MODELS = """
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


task_tags = Table(
    "task_tags", Base.metadata,
    Column("task_id", ForeignKey("tasks.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int]
    owner_id: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    tasks: Mapped[list["Task"]] = relationship(back_populates="project")


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int]
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    title: Mapped[str]
    project: Mapped[Project] = relationship(back_populates="tasks")
    tags: Mapped[list["Tag"]] = relationship(secondary=task_tags, back_populates="tasks")


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    tasks: Mapped[list[Task]] = relationship(secondary=task_tags, back_populates="tags")
"""

AUTH = """
from fastapi import Depends, Header, HTTPException

# token -> user: alice and root share tenant 1, bob is alone in tenant 2
USERS = {
    "alice": {"id": 1, "tenant": 1, "admin": False},
    "bob": {"id": 2, "tenant": 2, "admin": False},
    "root": {"id": 3, "tenant": 1, "admin": True},
}


def current_user(authorization: str | None = Header(None)) -> dict:
    if authorization is None or not authorization.startswith("Bearer "):
        raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})
    user = USERS.get(authorization.removeprefix("Bearer "))
    if user is None:
        raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
    return user


def require_admin(user: dict = Depends(current_user)) -> None:
    if not user["admin"]:
        raise HTTPException(403, "admins only")


def tenant(user: dict = Depends(current_user)) -> int:
    return user["tenant"]


def user_id(user: dict = Depends(current_user)) -> int:
    return user["id"]
"""

CONFIG = """
schema: models.py
auth:
  models:
    Project:
      dependencies: [app.auth:current_user]
      scope: {tenant_id: app.auth:tenant}
      fill: {owner_id: app.auth:user_id}
    Task:
      dependencies:
        all: [app.auth:current_user]
        delete: [app.auth:require_admin]
      scope: {tenant_id: app.auth:tenant}
"""


def write_project(folder: Path, config: str = CONFIG, auth: str = AUTH) -> Path:
    """The project's files and its compiled IR; returns the IR's path."""
    (folder / "app").mkdir(parents=True, exist_ok=True)
    (folder / "app" / "__init__.py").write_text("")
    (folder / "app" / "auth.py").write_text(textwrap.dedent(auth))
    (folder / "models.py").write_text(MODELS)
    (folder / "fastbackend.yaml").write_text(textwrap.dedent(config))
    _, result = compile_path(folder)
    ir_path = folder / ".fastbackend" / "ir.json"
    ir_path.parent.mkdir(exist_ok=True)
    ir_path.write_text(dumps(result.ir))
    return ir_path


def bearer(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {user}"}
