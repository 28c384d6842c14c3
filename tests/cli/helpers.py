"""Running the CLI in-process, and small git repositories to run it in."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from fastbackend.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent.parent
BLOG_PRISMA = ROOT / "examples" / "blog-prisma" / "schema.prisma"
BLOG_MODELS = ROOT / "examples" / "blog" / "models.py"
GOLDEN_BLOG = ROOT / "tests" / "golden" / "blog.ir.json"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
}


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main",
                           *args], cwd=repo, capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    return path


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def prisma_project(folder: Path) -> Path:
    """A copy of the blog schema in ``folder``; returns the schema path."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(BLOG_PRISMA, folder / "schema.prisma"))


def sqlalchemy_project(folder: Path) -> Path:
    """A copy of the blog models in ``folder``; returns the models path."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(BLOG_MODELS, folder / "models.py"))


def add_tag_slug(schema: Path) -> None:
    """A new nullable Tag.slug, in whichever language ``schema`` is written."""
    if schema.suffix == ".prisma":
        add_prisma_field(schema, "Tag", "slug String?")
        return
    text = schema.read_text("utf-8")
    anchor = '    __tablename__ = "tags"\n'
    assert anchor in text
    slug = "    slug: Mapped[Optional[str]] = mapped_column(String(40))\n"
    schema.write_text(text.replace(anchor, anchor + slug, 1), "utf-8")


PROJECTS = {"prisma": prisma_project, "sqlalchemy": sqlalchemy_project}


def add_prisma_field(schema: Path, model: str, line: str) -> None:
    """Insert ``line`` as the first field of ``model``."""
    text = schema.read_text("utf-8")
    opening = f"model {model} {{\n"
    assert opening in text
    schema.write_text(text.replace(opening, f"{opening}  {line}\n", 1), "utf-8")


def table_names(url: str) -> set[str]:
    """The tables of the database at ``url`` (its default schema)."""
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[int]:
    """Wrap ``owner.name`` so each call appends to the list returned (whether a command
    compiled or decoded is seen by counting, never by timing)."""
    calls: list[int] = []
    real = getattr(owner, name)

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def count_compiles(monkeypatch: pytest.MonkeyPatch, cache: Path, owner: object) -> list[int]:
    """Count the compiles (``owner.compile_path`` calls), with compile stamps kept in
    ``cache``, a folder of the test's own."""
    monkeypatch.setenv("FASTBACKEND_CACHE_DIR", str(cache))
    monkeypatch.delenv("FASTBACKEND_NO_CACHE", raising=False)
    return count_calls(monkeypatch, owner, "compile_path")
