"""fastbackend.yaml's `database.provider`: a SQLAlchemy project chooses the database family its
Express server is emitted for (docs/configuration.md); a wrong value is FB410 at its position.
The emitted MySQL project is built and served on MariaDB by the Express parity suite
(tests/adapters/express/harness.py: `blog_mysql` is compiled through this setting)."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from fastbackend.pipeline import compile_path
from fastbackend_express import render_project
from tests.cli.helpers import BLOG_MODELS, ROOT, run

BLOG_PRISMA = ROOT / "examples" / "blog-prisma" / "schema.prisma"


def _project(tmp_path: Path, config: str, source: Path = BLOG_MODELS) -> Path:
    shutil.copy(source, tmp_path / source.name)
    (tmp_path / "fastbackend.yaml").write_text(textwrap.dedent(config))
    return tmp_path


@pytest.mark.parametrize("value", ["mysql", "mariadb"])
def test_a_sqlalchemy_project_chooses_mysql_for_its_express_server(tmp_path: Path,
                                                                  value: str) -> None:
    _, result = compile_path(_project(tmp_path, f"database:\n  provider: {value}\n"))
    assert result.ir.database is not None and result.ir.database.provider == "mysql"
    files = render_project(result.ir)
    assert 'provider = "mysql"' in files["prisma/schema.prisma"]
    assert "@db.DateTime(6)" in files["prisma/schema.prisma"]
    assert 'DATABASE: "postgresql" | "mysql" = "mysql";' in files["src/meta.ts"]


def test_without_the_setting_a_sqlalchemy_project_is_served_on_postgresql(tmp_path: Path) -> None:
    _, result = compile_path(_project(tmp_path, "database: {}\n"))
    assert result.ir.database is None
    files = render_project(result.ir)
    assert 'provider = "postgresql"' in files["prisma/schema.prisma"]
    assert 'DATABASE: "postgresql" | "mysql" = "postgresql";' in files["src/meta.ts"]


def test_an_unknown_provider_is_fb410_at_its_value(tmp_path: Path) -> None:
    project = _project(tmp_path, """
    api: {title: Blog}
    database:
      provider: oracle
    """)
    code, _, err = run("compile", str(project))
    assert code == 2, err
    assert "fastbackend.yaml:4:13: error FB410: 'oracle' is not a database" in err
    assert "known: postgresql, postgres, mysql, mariadb" in err
    assert not (project / ".fastbackend").exists()


@pytest.mark.parametrize("config, code, where", [
    ("database: mysql\n", "FB402", ":1:11:"),
    ("database:\n  engine: mysql\n", "FB401", ":2:3:"),
    ("database:\n  provider: [mysql]\n", "FB410", ":2:13:"),
])
def test_a_malformed_database_section_is_refused_at_its_position(
        tmp_path: Path, config: str, code: str, where: str) -> None:
    exit_code, _, err = run("compile", str(_project(tmp_path, config)))
    assert exit_code == 2 and f"fastbackend.yaml{where} error {code}" in err, err


def test_a_prisma_schema_may_repeat_its_provider_never_contradict_it(tmp_path: Path) -> None:
    (tmp_path / "same").mkdir()
    _, result = compile_path(_project(tmp_path / "same", "database:\n  provider: postgres\n",
                                      BLOG_PRISMA))
    assert result.ir.database is not None and result.ir.database.provider == "postgresql"
    (tmp_path / "other").mkdir()
    other = _project(tmp_path / "other", "database:\n  provider: mariadb\n", BLOG_PRISMA)
    code, _, err = run("compile", str(other))
    assert code == 2
    assert ('fastbackend.yaml:2:13: error FB410: the schema\'s datasource says provider = '
            '"postgresql"; database.provider \'mariadb\' contradicts it') in err, err


@pytest.mark.postgres
def test_migrating_a_project_for_mariadb_into_postgresql_warns_naming_the_setting(
        tmp_path: Path, postgres_url: str) -> None:
    project = _project(tmp_path, "database:\n  provider: mariadb\n")
    code, out, _ = run("migrate", str(project), "--database-url", postgres_url, "--json")
    assert code == 0, out
    assert json.loads(out)["warnings"] == [
        "fastbackend.yaml declares database.provider mysql, but the database is postgresql: set "
        "database.provider: postgresql so the Express target expects the database you migrate"]
