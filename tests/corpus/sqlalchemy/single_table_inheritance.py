"""Single-table inheritance with a discriminator and polymorphic identities."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Company(Base):
    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff: Mapped[list["Staff"]] = relationship(back_populates="company")


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    company: Mapped[Company | None] = relationship(back_populates="staff")
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "staff"}


class Engineer(Staff):
    language: Mapped[str | None] = mapped_column(String(30))
    __mapper_args__ = {"polymorphic_identity": "engineer"}


class Manager(Staff):
    reports: Mapped[int | None]
    __mapper_args__ = {"polymorphic_identity": "manager"}
