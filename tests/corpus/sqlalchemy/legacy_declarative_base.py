"""SQLAlchemy 1.x style: declarative_base() and Column, spelled through `import sqlalchemy as sa`."""
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Author(Base):
    __tablename__ = "authors"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(80), nullable=False)
    bio = sa.Column(sa.Text)
    books = relationship("Book", back_populates="author")


class Book(Base):
    __tablename__ = "books"
    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(200), nullable=False)
    author_id = sa.Column(sa.Integer, sa.ForeignKey("authors.id"), nullable=False)
    author = relationship("Author", back_populates="books")
