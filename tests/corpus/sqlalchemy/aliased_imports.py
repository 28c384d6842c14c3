"""Names resolved by what they are: `Column as C`, `import sqlalchemy.orm as so`, `sa.types`."""
import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy import Column as C
from sqlalchemy import Integer as Int
from sqlalchemy.types import String as Str


class Model(so.DeclarativeBase):
    pass


class Planet(Model):
    __tablename__ = "planets"
    id = C(Int, primary_key=True)
    name = C(Str(30), nullable=False, unique=True)
    mass: so.Mapped[float] = so.mapped_column(sa.Float)
    moons: so.Mapped[list["Moon"]] = so.relationship(back_populates="planet")


class Moon(Model):
    __tablename__ = "moons"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    planet_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(Planet.id))
    planet: so.Mapped[Planet] = so.relationship(back_populates="moons")
