"""A foreign key to a column named by its local name in the class body."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


class Employee(Base):
    __tablename__ = "employees"
    id = Column(Integer, primary_key=True)
    name = Column(String(50))
    manager_id = Column(Integer, ForeignKey(id, ondelete="SET NULL"))
    manager = relationship("Employee", remote_side=id, backref="reports")
