"""Identity() and Sequence() keys, and autoincrement=False."""
from sqlalchemy import BigInteger, Column, Identity, Integer, Sequence, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Ticket(Base):
    __tablename__ = "tickets"
    id = Column(BigInteger, Identity(start=1000), primary_key=True)
    subject = Column(String(80))


class Batch(Base):
    __tablename__ = "batches"
    id = Column(Integer, Sequence("batch_id_seq"), primary_key=True)


class Code(Base):
    __tablename__ = "codes"
    number = Column(Integer, primary_key=True, autoincrement=False)
    label = Column(String(10))
