"""A default schema on the base's MetaData applies to every table, association tables too."""
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    metadata = MetaData(schema="crm")


lead_tags = Table(
    "lead_tags",
    Base.metadata,
    Column("lead_id", ForeignKey("crm.leads.id"), primary_key=True),
    Column("tag_id", ForeignKey("crm.tags.id"), primary_key=True),
)


class Lead(Base):
    __tablename__ = "leads"
    id = Column(Integer, primary_key=True)
    email = Column(String(200))
    tags = relationship("Tag", secondary=lead_tags, back_populates="leads")


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    leads = relationship(Lead, secondary=lead_tags, back_populates="tags")


class Archive(Base):
    __tablename__ = "archive"
    __table_args__ = {"schema": "cold"}
    id = Column(Integer, primary_key=True)
    lead_id = Column(ForeignKey(Lead.id))
