"""A registry: @mapper_registry.mapped classes and a base from registry.generate_base()."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import registry, relationship

mapper_registry = registry()
Base = mapper_registry.generate_base()


@mapper_registry.mapped
class Warehouse:
    __tablename__ = "warehouses"
    id = Column(Integer, primary_key=True)
    city = Column(String(60))


class Shelf(Base):
    __tablename__ = "shelves"
    id = Column(Integer, primary_key=True)
    warehouse_id = Column(Integer, ForeignKey("warehouses.id"))
    warehouse = relationship(Warehouse, backref="shelves")
