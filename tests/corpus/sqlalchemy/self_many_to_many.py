"""Self-referential many-to-many (followers) with primaryjoin and secondaryjoin."""
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


followers = Table(
    "followers",
    Base.metadata,
    Column("follower_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("followed_id", Integer, ForeignKey("accounts.id"), primary_key=True),
)


class Account(Base):
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)
    handle = Column(String(30))
    following = relationship(
        "Account",
        secondary=followers,
        primaryjoin=id == followers.c.follower_id,
        secondaryjoin=id == followers.c.followed_id,
        back_populates="followed_by",
    )
    followed_by = relationship(
        "Account",
        secondary=followers,
        primaryjoin=id == followers.c.followed_id,
        secondaryjoin=id == followers.c.follower_id,
        back_populates="following",
    )
