"""What the fuzzer found, each as the smallest input that showed it (docs/testing.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.pipeline import compile_path

FASTAPI_USERS_WITHOUT_USER = '''\
from fastapi_users_db_sqlalchemy import SQLAlchemyBaseOAuthAccountTableUUID
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class OAuthAccount(SQLAlchemyBaseOAuthAccountTableUUID, Base):
    pass
'''


def test_a_library_columns_foreign_key_is_reported_at_the_class_that_inherits_it(
        tmp_path: Path) -> None:
    """fastapi-users' OAuth mixin has ForeignKey("user.id"); with no `user` table that is FB105.
    It was reported at line 36 of the library's description (libraries/), in the user's file's
    name: a line the 10-line file does not have."""
    models = tmp_path / "models.py"
    models.write_text(FASTAPI_USERS_WITHOUT_USER, "utf-8")
    with pytest.raises(CompileError) as raised:
        compile_path(models)
    (error,) = raised.value.errors
    assert (error.file, error.line, error.column, error.code) == ("models.py", 9, 7, "FB105")
    assert "'user.id'" in error.message
    assert error.source_line is not None and error.source_line.startswith("class OAuthAccount(")
