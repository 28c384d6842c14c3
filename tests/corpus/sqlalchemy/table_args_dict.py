"""__table_args__ as a dict: the table lives in a schema."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = {"schema": "billing"}
    id = Column(Integer, primary_key=True)
    name = Column(String(50))


class Charge(Base):
    __tablename__ = "charges"
    __table_args__ = {"schema": "billing", "comment": "money taken"}
    id = Column(Integer, primary_key=True)
    account_id = Column(ForeignKey("billing.accounts.id", ondelete="RESTRICT"))
    account = relationship(Account)
