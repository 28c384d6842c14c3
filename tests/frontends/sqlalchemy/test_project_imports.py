"""The project is read as Python resolves it (#17): the base or ``db`` from elsewhere in the
project, absolute and relative imports, re-exports, ``import x as y``, namespace packages,
``--root``; each module parsed once; and nothing imported or executed on the way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import libcst
import pytest
from click.testing import CliRunner

from fastbackend.cli.main import cli
from fastbackend.diagnostics import CompileError
from fastbackend.pipeline import compile_path

FLASK_INIT = '''\
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


def create_app():
    app = Flask(__name__)
    db.init_app(app)
    return app
'''
USER = '''\
from app import db


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(40), nullable=False)
'''
BASE = '''\
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
'''


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def test_flask_db_from_the_package_init(tmp_path: Path) -> None:
    write(tmp_path, {"app/__init__.py": FLASK_INIT, "app/models.py": USER})
    _, result = compile_path(tmp_path / "app" / "models.py")
    assert list(result.ir.entities) == ["User"]
    assert result.ir.entities["User"].table == "user"
    assert result.ir.source.files == ("__init__.py", "models.py")


def test_a_relative_import_of_db(tmp_path: Path) -> None:
    write(tmp_path, {"app/__init__.py": FLASK_INIT,
                     "app/models.py": USER.replace("from app import db", "from . import db")})
    _, result = compile_path(tmp_path / "app" / "models.py")
    assert list(result.ir.entities) == ["User"]


def test_db_from_an_extensions_module_through_a_reexport(tmp_path: Path) -> None:
    write(tmp_path, {
        "app/__init__.py": "from app.extensions import db as database\n",
        "app/extensions.py": FLASK_INIT,
        "app/models/__init__.py": "from .user import User\n",
        "app/models/user.py": USER.replace("from app import db", "from app import database as db"),
    })
    _, result = compile_path(tmp_path / "app" / "models")
    assert list(result.ir.entities) == ["User"]


def test_the_base_from_a_module_two_packages_away(tmp_path: Path) -> None:
    write(tmp_path, {
        "app/__init__.py": "", "app/db/__init__.py": "", "app/db/base_class.py": BASE,
        "app/models/__init__.py": "", "app/models/item.py": '''\
import app.db.base_class
from sqlalchemy import Column, Integer

from app.db.base_class import Base as B


class Item(B):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)


class Tag(app.db.base_class.Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
'''})
    _, result = compile_path(tmp_path / "app" / "models")
    assert sorted(result.ir.entities) == ["Item", "Tag"]
    # `import app.db.base_class` binds `app`: the package's __init__ is read too
    assert result.ir.source.files == ("__init__.py", "db/base_class.py", "models/__init__.py",
                                      "models/item.py")


def test_a_namespace_package_found_from_the_project_root(tmp_path: Path) -> None:
    """No __init__.py anywhere (PEP 420): the project root is where pyproject.toml is."""
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'shop'\n", "shop/db.py": BASE,
                     "shop/models.py": '''\
from sqlalchemy.orm import Mapped, mapped_column

from shop.db import Base


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
'''})
    _, result = compile_path(tmp_path / "shop" / "models.py")
    assert list(result.ir.entities) == ["Order"]


def test_root_says_where_imports_start(tmp_path: Path) -> None:
    write(tmp_path, {"lib/common/base.py": BASE, "service/models.py": '''\
from sqlalchemy.orm import Mapped, mapped_column

from common.base import Base


class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
'''})
    models = tmp_path / "service" / "models.py"
    with pytest.raises(CompileError) as raised:
        compile_path(models)
    [found] = raised.value.diagnostics
    assert (found.code, found.line, found.column) == ("FB108", 6, 15)
    assert "class Invoice derives from Base (common.base.Base), which could not be resolved" in (
        found.message)
    assert "--root" in found.message
    result = CliRunner().invoke(cli, ["compile", str(models), "--target", "ir", "--root",
                                      str(tmp_path / "lib")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert '"Invoice"' in (tmp_path / "service" / ".fastbackend" / "ir.json").read_text("utf-8")


def test_a_package_folder_with_a_models_module_compiles_every_module(tmp_path: Path) -> None:
    write(tmp_path, {"app/__init__.py": FLASK_INIT, "app/models.py": USER,
                     "app/audit.py": '''\
from app import db


class AuditEntry(db.Model):
    id = db.Column(db.Integer, primary_key=True)
'''})
    _, result = compile_path(tmp_path / "app")
    assert sorted(result.ir.entities) == ["AuditEntry", "User"]


def test_module_globals_are_defined(tmp_path: Path) -> None:
    write(tmp_path, {"models.py": BASE + '''
import os

from sqlalchemy import Column, Integer, String

HERE = os.path.dirname(__file__)


class Doc(Base):
    __tablename__ = "docs"
    __doc__ = "A document of " + __name__
    id = Column(Integer, primary_key=True)
'''})
    _, result = compile_path(tmp_path / "models.py")
    assert [w.code for w in result.warnings] == []


def test_every_module_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"app/__init__.py": "", "app/base.py": BASE}
    for i in range(8):
        files[f"app/m{i}.py"] = ("from sqlalchemy import Column, Integer\nfrom app.base import Base\n"
                                 + "".join(f"from app.m{j} import M{j}\n" for j in range(i))
                                 + f"\n\nclass M{i}(Base):\n    __tablename__ = 't{i}'\n"
                                 "    id = Column(Integer, primary_key=True)\n")
    write(tmp_path, files)
    parsed: list[str] = []
    real = libcst.parse_module

    def counting(text: str) -> libcst.Module:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(libcst, "parse_module", counting)
    _, result = compile_path(tmp_path / "app")
    assert len(result.ir.entities) == 8
    assert len(parsed) == len(files)


# never executed: marker modules that would leave a file or raise if imported

MARKER = '''\
import pathlib

pathlib.Path({path!r}).write_text("imported {name}")
raise SystemExit("{name} was imported")
'''


def test_following_imports_executes_nothing(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    project = tmp_path / "project"
    init = MARKER.format(path=str(markers / "init"), name="app") + FLASK_INIT
    write(project, {
        "app/__init__.py": init,
        "app/config.py": MARKER.format(path=str(markers / "config"), name="config")
        + "MAX_NAME = 40\n",
        "app/models/__init__.py": MARKER.format(path=str(markers / "models"), name="models")
        + "from app.models.user import User\n",
        "app/models/user.py": MARKER.format(path=str(markers / "user"), name="user")
        + USER.replace("db.String(40)", "db.String(MAX_NAME)").replace(
            "from app import db", "from app import db\nfrom app.config import MAX_NAME"),
    })
    before = set(sys.modules)
    _, result = compile_path(project / "app" / "models")
    assert result.ir.entities["User"].field("name").db is not None
    assert result.ir.entities["User"].field("name").db.length == 40  # read through app.config
    assert list(markers.iterdir()) == []
    assert not {m for m in set(sys.modules) - before if m == "app" or m.startswith("app.")}
    # the control: importing the package really would write the marker and stop
    done = subprocess.run([sys.executable, "-c", "import app.models"], cwd=project,
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert (markers / "init").exists()
