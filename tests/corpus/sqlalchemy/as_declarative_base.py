"""@as_declarative() base whose declared_attr names every table after its class."""
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import as_declarative, declared_attr, relationship


@as_declarative()
class Base:
    @declared_attr
    def __tablename__(cls):
        return cls.__name__.lower()

    id = Column(Integer, primary_key=True)


class Team(Base):
    name = Column(String(50), nullable=False)
    players = relationship("Player", back_populates="team")


class Player(Base):
    name = Column(String(50))
    team_id = Column(ForeignKey("team.id"))
    team = relationship(Team, back_populates="players")
