"""Explicit column names, deferred columns, with_variant types and a declared_attr relationship."""
from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, declared_attr, deferred, relationship


class Base(DeclarativeBase):
    pass


class Folder(Base):
    __tablename__ = "folders"
    id = Column("folder_id", Integer, primary_key=True)
    title = Column("folder_title", String(60), nullable=False)


class HasFolder:
    @declared_attr
    def folder_id(cls):
        return Column(Integer, ForeignKey("folders.folder_id"))

    @declared_attr
    def folder(cls):
        return relationship("Folder")


class File(HasFolder, Base):
    __tablename__ = "files"
    id = Column(Integer, primary_key=True)
    content = deferred(Column(Text))
    meta = Column(JSON().with_variant(JSONB(), "postgresql"))
