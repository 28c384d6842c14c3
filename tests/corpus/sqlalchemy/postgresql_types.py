"""PostgreSQL dialect types: JSONB, UUID, ARRAY, TIMESTAMP(timezone=True), INET."""
import uuid

from sqlalchemy import Column, Integer, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY, INET, JSONB, TIMESTAMP, UUID
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Sensor(Base):
    __tablename__ = "sensors"
    id = Column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    payload = Column(JSONB, nullable=False)
    tags = Column(ARRAY(String(20)))
    readings = Column(postgresql.ARRAY(Integer))
    seen_at = Column(TIMESTAMP(timezone=True))
    address = Column(INET)
