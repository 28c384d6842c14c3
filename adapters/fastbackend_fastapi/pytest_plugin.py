"""The pytest plugin behind `fastbackend test`: ``client`` and ``db`` fixtures on a fresh
temporary database built from the project's IR.

Installed through the ``pytest11`` entry point, so pytest loads it in every project; it stays
inert (registers no fixture) unless it finds a FastBackend project: FASTBACKEND_PROJECT (set by
`fastbackend test`), or a fastbackend.yaml or .fastbackend/ir.json in pytest's rootdir.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import sqlalchemy as sa

PROJECT_VARIABLE = "FASTBACKEND_PROJECT"
IR_FILE = Path(".fastbackend") / "ir.json"


def find_project(rootdir: Path, environ: dict[str, str] | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    named = env.get(PROJECT_VARIABLE)
    if named:
        return Path(named)
    if (rootdir / "fastbackend.yaml").is_file() or (rootdir / IR_FILE).is_file():
        return rootdir
    return None


def pytest_configure(config: pytest.Config) -> None:
    project = find_project(config.rootpath)
    if project is not None:
        config.pluginmanager.register(ProjectFixtures(project), "fastbackend-fixtures")


class ProjectFixtures:
    """The fixtures, registered only for a FastBackend project."""

    def __init__(self, project: Path) -> None:
        self.project = project

    @pytest.fixture
    def fastbackend_ir_path(self) -> Path:
        path = self.project / IR_FILE
        if not path.is_file():
            pytest.fail(f"{path} does not exist: run `fastbackend compile` (or `fastbackend test`, "
                        "which compiles first)")
        return path

    @pytest.fixture
    def database_url(self, tmp_path: Path) -> str:
        """A fresh SQLite file per test (override this fixture to test on PostgreSQL)."""
        from fastbackend_fastapi.database import dialects

        return dialects.DEFAULT.file_url(tmp_path / "test.db")

    @pytest.fixture
    def db(self, fastbackend_ir_path: Path, database_url: str) -> Iterator[sa.Engine]:
        """A SQLAlchemy engine on the test's database, with the IR's tables created."""
        import sqlalchemy as sa

        from fastbackend_fastapi.database.migrations import target_metadata

        engine = sa.create_engine(database_url)
        target_metadata(fastbackend_ir_path).create_all(engine)
        yield engine
        engine.dispose()

    @pytest.fixture
    def client(self, fastbackend_ir_path: Path, database_url: str, db: sa.Engine) -> Iterator[Any]:
        """A TestClient of the project's API (custom routes included) on the test's database."""
        from fastbackend_fastapi import create_app

        with warnings.catch_warnings():
            # Starlette asks for httpx2, not yet released for this stack; httpx works the same.
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient
        app = create_app(fastbackend_ir_path, database_url=database_url,
                         custom_path=self.project / "app" / "custom")
        with TestClient(app) as test_client:
            yield test_client
