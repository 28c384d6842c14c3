# advanced_alchemy.types, as the compiler reads it (see ../README.md). Never executed.
from sqlalchemy import JSON, BigInteger, DateTime, Uuid

GUID = Uuid  # a TypeDecorator: UUID on PostgreSQL, BINARY(16)/CHAR(32) elsewhere
DateTimeUTC = DateTime  # a TypeDecorator over DateTime(timezone=True)
JsonB = JSON  # JSON().with_variant(JSONB, "postgresql")
BigIntIdentity = BigInteger  # BigInteger().with_variant(Integer, "sqlite")
