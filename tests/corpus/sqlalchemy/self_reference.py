"""Adjacency list: a self-referential relationship with remote_side (list and string)."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


class Category(Base):
    __tablename__ = "categories"
    id = Column(Integer, primary_key=True)
    name = Column(String(50))
    parent_id = Column(Integer, ForeignKey("categories.id"))
    parent = relationship("Category", remote_side=[id], back_populates="children")
    children = relationship("Category", back_populates="parent")


class Node(Base):
    __tablename__ = "nodes"
    id = Column(Integer, primary_key=True)
    up_id = Column(Integer, ForeignKey("nodes.id"))
    up = relationship("Node", remote_side="Node.id", backref="down")
