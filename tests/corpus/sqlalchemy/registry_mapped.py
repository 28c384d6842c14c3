"""A registry: @mapper_registry.mapped classes and a base from registry.generate_base()."""
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String
from sqlalchemy.orm import registry, relationship

mapper_registry = registry(metadata=MetaData(naming_convention={"ix": "ix_%(column_0_N_name)s"}))
Base = mapper_registry.generate_base()


@mapper_registry.mapped
class Warehouse:
    __tablename__ = "warehouses"
    id = Column(Integer, primary_key=True)
    city = Column(String(60), index=True)


class Shelf(Base):
    __tablename__ = "shelves"
    id = Column(Integer, primary_key=True)
    warehouse_id = Column(Integer, ForeignKey("warehouses.id"), index=True)
    warehouse = relationship(Warehouse, backref="shelves")
