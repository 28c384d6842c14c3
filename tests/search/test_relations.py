"""search= on a relation's list (GET /authors/{key}/articles, GET /tags/{key}/articles): the
search ANDed with the relation's rows, through a foreign key and through a join table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fastbackend.pipeline import compile_path
from fastbackend_fastapi import create_app
from tests.search.conftest import TestClient

MODELS = '''
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


article_tags = Table("article_tags", Base.metadata,
                     Column("article_id", ForeignKey("articles.id"), primary_key=True),
                     Column("tag_id", ForeignKey("tags.id"), primary_key=True))


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    articles: Mapped[list["Article"]] = relationship(back_populates="author")


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    articles: Mapped[list["Article"]] = relationship(secondary=article_tags,
                                                     back_populates="tags")


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="articles")
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, back_populates="articles")
'''


@pytest.fixture
def client(tmp_path: Path, search_url: str) -> Iterator[TestClient]:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "models.py").write_text(MODELS, "utf-8")
    (folder / "fastbackend.yaml").write_text("models:\n  Article:\n    search: [title]\n", "utf-8")
    ir_path = tmp_path / "ir.json"
    ir_path.write_text(compile_path(folder)[1].ir_text or "", "utf-8")
    with TestClient(create_app(ir_path, database_url=search_url, custom_path=None)) as started:
        yield started


def _titles(response: object) -> list[str]:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == 200, response.text
    return [row["title"] for row in response.json()["data"]]


def test_search_within_a_relation(client: TestClient) -> None:
    for name in ("ann", "bob"):
        assert client.post("/authors", json={"name": name}).status_code == 201
    for name in ("red", "blue"):
        assert client.post("/tags", json={"name": name}).status_code == 201
    rows = [("kiwi kiwi kiwi", 1, [1]), ("kiwi", 1, [1, 2]), ("kiwi kiwi", 2, [1]),
            ("lime", 1, [1])]
    for i, (title, author, tags) in enumerate(rows, start=1):
        assert client.post("/articles", json={"title": title, "author_id": author}
                           ).status_code == 201
        for tag in tags:
            assert client.put(f"/articles/{i}/tags/{tag}").status_code in (200, 201, 204)
    assert _titles(client.get("/authors/1/articles", params={"search": "kiwi"})) == [
        "kiwi kiwi kiwi", "kiwi"]
    assert _titles(client.get("/tags/1/articles", params={"search": "kiwi"})) == [
        "kiwi kiwi kiwi", "kiwi kiwi", "kiwi"]
    assert _titles(client.get("/tags/2/articles", params={"search": "kiwi"})) == ["kiwi"]
    page = client.get("/tags/1/articles", params={"search": "kiwi", "limit": 1, "offset": 1})
    assert _titles(page) == ["kiwi kiwi"] and page.json()["meta"]["total"] == 3
