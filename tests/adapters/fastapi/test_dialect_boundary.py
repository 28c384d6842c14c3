"""The dialect boundary holds: outside database/dialects/, the runtime names no database.

Every per-database decision (a column type, a comparison, an error code, an engine option)
lives in a Dialect class (docs/dialects.md), so that adding a database is one module there. This
test fails on the spellings such a decision takes elsewhere: a dialect name compared or used as a
key (`== "sqlite"`, `dialect.name != ...`, `{"postgresql": ...}`), a URL scheme, a SQLAlchemy
keyword of one dialect (`sqlite_autoincrement=`, `postgresql_where`) or an import of
`sqlalchemy.dialects`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from fastbackend_fastapi.settings import Settings

RUNTIME = Path(__file__).resolve().parents[3] / "adapters" / "fastbackend_fastapi"
DIALECTS = RUNTIME / "database" / "dialects"
DATABASE_NAMES = ("sqlite", "sqlite3", "pysqlite", "postgres", "postgresql", "psycopg", "mysql", "mariadb")
_NAMES = "|".join(DATABASE_NAMES)
# a name alone, a URL scheme (`sqlite+pysqlite:///`, `postgres://`) or a dialect's keyword
# An operator's setting for one database (its busy timeout, its JIT) is named in settings.py;
# what it does is the dialect's.
SETTINGS = frozenset(Settings.__dataclass_fields__)
NAMED = re.compile(rf"^({_NAMES})(([+:].*)|(_\w+))?$", re.DOTALL)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            found.add(id(body[0].value))
    return found


def _compares_a_dialect_name(node: ast.Compare) -> bool:
    """`x.dialect.name == ...`, `get_backend_name() != ...`: a branch on the database."""
    for side in (node.left, *node.comparators):
        text = ast.unparse(side)
        if text.endswith(("dialect.name", "get_backend_name()", "drivername")):
            return True
    return False


def findings(path: Path, text: str | None = None) -> list[str]:
    """Each spelling of a database in ``path`` (or in ``text``, reported as ``path``)."""
    tree = ast.parse(path.read_text("utf-8") if text is None else text)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(RUNTIME)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings and NAMED.match(node.value):
            found.append(f"{where}: {node.value!r}")
        elif isinstance(node, ast.keyword) and node.arg and NAMED.match(node.arg) \
                and node.arg not in SETTINGS:
            found.append(f"{where}: keyword {node.arg}=")
        elif isinstance(node, ast.Compare) and _compares_a_dialect_name(node):
            found.append(f"{where}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "sqlalchemy.dialects"):
            found.append(f"{where}: from {node.module} import ...")
    return found


def runtime_files() -> list[Path]:
    return sorted(p for p in RUNTIME.rglob("*.py") if DIALECTS not in p.parents)


def test_no_database_is_named_outside_the_dialect_modules() -> None:
    found = [item for path in runtime_files() for item in findings(path)]
    assert found == [], ("per-database decisions belong in a Dialect "
                         "(adapters/fastbackend_fastapi/database/dialects/):\n" + "\n".join(found))


@pytest.mark.parametrize("source", [
    'if engine.dialect.name == "sqlite":\n    pass\n',
    'if sa.make_url(url).get_backend_name() != "x":\n    pass\n',
    'if url.startswith("postgres://"):\n    pass\n',
    'AUTO = {"postgresql": "thread"}\n',
    'URL = f"sqlite+pysqlite:///{path}"\n',
    'sa.Table("t", m, sqlite_autoincrement=True)\n',
    'OPTIONS = {"postgresql_where": None}\n',
    'from sqlalchemy.dialects import postgresql\n',
])
def test_the_check_sees_each_spelling(source: str) -> None:
    assert findings(RUNTIME / "probe.py", source) != []


def test_the_check_leaves_prose_and_settings_alone() -> None:
    source = ('"""Notes on SQLite and PostgreSQL."""\n'
              'settings = Settings(sqlite_busy_timeout_ms=10)\n')
    assert findings(RUNTIME / "probe.py", source) == []
