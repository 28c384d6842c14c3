"""A mixin's declared_attr __tablename__ (cls.__name__.lower()) names the tables."""
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


class Base(DeclarativeBase):
    pass


class AutoName:
    @declared_attr.directive
    def __tablename__(cls) -> str:
        return cls.__name__.lower()

    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class Invoice(AutoName, Base):
    number: Mapped[str] = mapped_column(String(20))


class Receipt(AutoName, Base):
    total: Mapped[int]
