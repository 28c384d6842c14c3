"""One-to-one: uselist=False, and a scalar Mapped[...] annotation on the one-to-many side."""
from typing import Optional

from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Employee(Base):
    __tablename__ = "employees"
    id: Mapped[int] = mapped_column(primary_key=True)
    badge: Mapped[Optional["Badge"]] = relationship(back_populates="employee")
    desk = relationship("Desk", uselist=False, back_populates="employee")


class Badge(Base):
    __tablename__ = "badges"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), unique=True)
    employee: Mapped[Employee] = relationship(back_populates="badge")


class Desk(Base):
    __tablename__ = "desks"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("employees.id"))
    employee = relationship(Employee, back_populates="desk")
