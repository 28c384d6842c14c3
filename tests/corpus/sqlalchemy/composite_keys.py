"""Composite primary keys (PrimaryKeyConstraint and two primary_key=True) and a composite
ForeignKeyConstraint."""
from sqlalchemy import Column, ForeignKeyConstraint, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


class Edition(Base):
    __tablename__ = "editions"
    __table_args__ = (PrimaryKeyConstraint("isbn", "number", name="pk_editions"),)
    isbn = Column(String(13))
    number = Column(Integer)
    title = Column(String(100))


class Printing(Base):
    __tablename__ = "printings"
    __table_args__ = (
        ForeignKeyConstraint(["isbn", "edition_number"], ["editions.isbn", "editions.number"],
                             ondelete="CASCADE"),
    )
    isbn = Column(String(13), primary_key=True)
    edition_number = Column(Integer, primary_key=True)
    run = Column(Integer, primary_key=True, autoincrement=False)
    copies = Column(Integer)
    edition = relationship(Edition)
