"""AbstractConcreteBase: the abstract class has no table; its subclasses are concrete tables."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.declarative import AbstractConcreteBase
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Employee(AbstractConcreteBase, Base):
    strict_attrs = True
    name: Mapped[str] = mapped_column(String(50))


class Manager(Employee):
    __tablename__ = "managers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    manager_data: Mapped[str] = mapped_column(String(40))
    __mapper_args__ = {"polymorphic_identity": "manager", "concrete": True}


class Engineer(Employee):
    __tablename__ = "engineers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    engineer_info: Mapped[str] = mapped_column(String(40))
    __mapper_args__ = {"polymorphic_identity": "engineer", "concrete": True}
