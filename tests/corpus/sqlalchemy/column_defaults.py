"""Defaults: literal, enum member, callables as named generators, server defaults, onupdate."""
import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Enum, Integer, JSON, String, Uuid, func, text
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class State(enum.Enum):
    new = "new"
    done = "done"


class Task(Base):
    __tablename__ = "tasks"
    id = Column(Integer, primary_key=True)
    key = Column(Uuid, default=uuid.uuid4, nullable=False)
    title = Column(String(100), default="untitled")
    points = Column(Integer, default=1)
    urgent = Column(Boolean, default=False)
    state = Column(Enum(State), default=State.new)
    extra = Column(JSON, default=dict)
    due = Column(DateTime, default=datetime.utcnow)
    stamped = Column(DateTime, default=lambda: datetime.now())
    created = Column(DateTime, server_default=func.now())
    created_text = Column(DateTime, server_default=text("CURRENT_TIMESTAMP"))
    rank = Column(Integer, server_default="0")
    archived = Column(Boolean, server_default=text("false"))
    owner = Column(String(20), server_default=text("current_user"))
    touched = Column(DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)
