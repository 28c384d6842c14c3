"""database.migrations.pending_revisions: what a readiness check asks ("is the database at
migrations/' head?"), on each database."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastbackend_fastapi.database.migrations import MigrationError, pending_revisions
from tests.cli.test_migrate import migrate, revisions

MODELS = """from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]
"""


def test_pending_until_applied(tmp_path: Path, database_url: str) -> None:
    models = tmp_path / "app" / "models.py"
    models.parent.mkdir()
    models.write_text(MODELS, "utf-8")
    folder, ir_path = models.parent / "migrations", models.parent / ".fastbackend" / "ir.json"
    assert pending_revisions(folder, ir_path, database_url) == []  # no migrations/ at all
    written = migrate(models, database_url)
    assert written.exit_code == 0, written.output
    (revision,) = revisions(models)
    assert pending_revisions(folder, ir_path, database_url) == [revision.name.split("_")[0]]
    applied = migrate(models, database_url, "--apply")
    assert applied.exit_code == 0, applied.output
    assert pending_revisions(folder, ir_path, database_url) == []


def test_an_unreachable_database_raises(tmp_path: Path) -> None:
    models = tmp_path / "app" / "models.py"
    models.parent.mkdir()
    models.write_text(MODELS, "utf-8")
    assert migrate(models, f"sqlite:///{tmp_path / 'dev.db'}").exit_code == 0
    with pytest.raises(MigrationError, match="cannot reach the database"):
        pending_revisions(models.parent / "migrations", models.parent / ".fastbackend" / "ir.json",
                          "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
