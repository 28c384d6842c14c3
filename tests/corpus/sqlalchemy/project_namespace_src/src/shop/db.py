from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

CONVENTION = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=CONVENTION)
