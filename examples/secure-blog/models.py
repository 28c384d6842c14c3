"""The secure blog: users and their posts. Roles and visibility are declared, not coded."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # Accepted on create and update, never returned, filtered or sorted on.
    email: Mapped[str] = mapped_column(String(200), unique=True,
                                       info={"fastbackend": {"write_only": True}})
    posts: Mapped[list["Post"]] = relationship(back_populates="author")


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # filled from the API key
    moderation_note: Mapped[str | None]  # hidden in fastbackend.yaml
    author: Mapped[User] = relationship(back_populates="posts")
