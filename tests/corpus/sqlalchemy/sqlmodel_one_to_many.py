"""SQLModel one-to-many: Field(foreign_key=..., ondelete=...), sa_column, sa_type and
sa_relationship_kwargs."""
from datetime import datetime
from typing import List, Optional

from sqlalchemy import Column, DateTime, String, Text, func
from sqlmodel import Field, Relationship, SQLModel


class Publisher(SQLModel, table=True):
    __tablename__ = "publishers"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(80), nullable=False, unique=True))
    founded: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True))
    magazines: List["Magazine"] = Relationship(back_populates="publisher")


class Magazine(SQLModel, table=True):
    __tablename__ = "magazines"
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    blurb: Optional[str] = Field(default=None, sa_column=Column(Text))
    issues: int = 0
    created_at: Optional[datetime] = Field(
        default=None, sa_column_kwargs={"server_default": func.now()})
    publisher_id: Optional[int] = Field(default=None, foreign_key="publishers.id",
                                        ondelete="CASCADE")
    publisher: Optional[Publisher] = Relationship(
        back_populates="magazines", sa_relationship_kwargs={"lazy": "joined"})
