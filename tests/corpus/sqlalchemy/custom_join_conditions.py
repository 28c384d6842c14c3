"""Relationships without a ForeignKey: primaryjoin marks the key with foreign(), as a lambda, an
expression and a string."""
from sqlalchemy import Column, Integer, String, and_
from sqlalchemy.orm import DeclarativeBase, foreign, relationship


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    code = Column(String(10), unique=True)
    invoices = relationship(
        "Invoice", primaryjoin=lambda: Customer.code == foreign(Invoice.customer_code),
        viewonly=True)
    notes = relationship(
        "Note", primaryjoin="and_(Customer.id == foreign(Note.subject_id), Note.subject_type == 'customer')",
        viewonly=True)


class Invoice(Base):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
    customer_code = Column(String(10))
    customer = relationship(
        Customer, primaryjoin=and_(foreign(customer_code) == Customer.code), viewonly=True)


class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)
    subject_type = Column(String(20))
    subject_id = Column(Integer)
