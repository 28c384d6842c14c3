"""The compiler reads models.py as text: code that would do harm on import never runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastbackend.pipeline import compile_path

HARMFUL = '''\
import os
import sys
import pathlib

from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase

pathlib.Path({marker!r}).write_text("the models were imported")
os.system("touch " + {marker!r} + ".shell")


class Base(DeclarativeBase):
    pass


class Victim(Base):
    __tablename__ = "victims"
    id = Column(Integer, primary_key=True)
    name = Column(String(20), default=sys.exit(7))


sys.exit(3)
raise SystemExit("imported")
'''


def test_a_harmful_models_file_compiles_without_running(tmp_path: Path) -> None:
    marker = tmp_path / "imported.txt"
    models = tmp_path / "models.py"
    models.write_text(HARMFUL.format(marker=str(marker)), "utf-8")
    _, result = compile_path(models)
    assert list(result.ir.entities) == ["Victim"]
    assert not marker.exists()
    assert not Path(f"{marker}.shell").exists()
    assert [w.code for w in result.warnings] == ["FB103"]  # default=sys.exit(7) is not static


def test_importing_it_really_would_do_harm(tmp_path: Path) -> None:
    """The control: the same file run by Python writes the file and exits."""
    marker = tmp_path / "imported.txt"
    models = tmp_path / "models.py"
    models.write_text(HARMFUL.format(marker=str(marker)).replace("default=sys.exit(7)", "default=1"),
                      "utf-8")
    done = subprocess.run([sys.executable, str(models)], capture_output=True, check=False)
    assert done.returncode == 3
    assert marker.exists()


def test_the_front_end_never_imports_user_modules(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(HARMFUL.format(marker=str(tmp_path / "m")), "utf-8")
    before = set(sys.modules)
    compile_path(tmp_path / "models.py")
    assert "models" not in set(sys.modules) - before
