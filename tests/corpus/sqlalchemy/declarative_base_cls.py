"""declarative_base(cls=...): a plain class whose columns and table name every model inherits."""
from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import declarative_base, declared_attr, relationship


class CommonBase:
    @declared_attr
    def __tablename__(cls):
        return cls.__name__.lower()

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, server_default=func.now(), nullable=False)


Base = declarative_base(cls=CommonBase)


class Project(Base):
    name = Column(String(60), nullable=False)
    tasks = relationship("Chore", back_populates="project")


class Chore(Base):
    project_id = Column(ForeignKey("project.id"))
    project = relationship(Project, back_populates="tasks")
