"""fastbackend.yaml's `models` section: decided into the IR, every mistake at its line (exit 2)."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from fastbackend.config import ConfigError, parse
from fastbackend.pipeline import compile_path
from fastbackend_ir import IR
from tests.cli.helpers import BLOG_MODELS, run


def _project(tmp_path: Path, config: str) -> Path:
    shutil.copy(BLOG_MODELS, tmp_path / "models.py")
    (tmp_path / "fastbackend.yaml").write_text(textwrap.dedent(config))
    return tmp_path


def _compile(tmp_path: Path, config: str) -> IR:
    _, result = compile_path(_project(tmp_path, config))
    return result.ir


def test_field_roles_paths_and_operations_go_into_the_ir(tmp_path: Path) -> None:
    ir = _compile(tmp_path, """
    schema: models.py
    models:
      User:
        path: /people
        fields:
          email: hidden
          name: write_only
      Post:
        read_only: true
        fields:
          title: read_only
      Tag:
        expose: false
      Comment:
        operations: [list, read, create]
    """)
    user = ir.entity("User")
    assert user.api.path == "/people"
    assert user.field("email").api.hidden and not user.field("email").api.write_only
    assert user.field("name").api.write_only
    assert ir.entity("Post").api.operations == ("list", "read")
    assert ir.entity("Post").field("title").api.read_only
    assert ir.entity("Tag").api.operations == ()
    assert set(ir.entity("Comment").api.operations) == {"list", "read", "create"}


def test_a_star_entry_applies_to_every_model_not_named(tmp_path: Path) -> None:
    ir = _compile(tmp_path, """
    models:
      "*": {expose: false}
      User: {}
      Post: {read_only: true}
    """)
    assert set(ir.entity("User").api.operations) == {
        "list", "read", "create", "update", "replace", "delete"}
    assert ir.entity("Post").api.operations == ("list", "read")
    assert ir.entity("Tag").api.operations == () and ir.entity("Comment").api.operations == ()


def test_visible_clears_a_role_but_keeps_server_set_fields_read_only(tmp_path: Path) -> None:
    ir = _compile(tmp_path, "models:\n  User:\n    fields: {id: visible}\n")
    assert ir.entity("User").field("id").api.read_only


def test_without_a_models_section_the_entities_are_unchanged(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    shutil.copy(BLOG_MODELS, tmp_path / "plain" / "models.py")
    plain = compile_path(tmp_path / "plain")[1].ir
    (tmp_path / "configured").mkdir()
    configured = _compile(tmp_path / "configured",
                          "schema: models.py\ncors: {allow_origins: ['*']}\n")
    # A project records its API's title (the folder's name here); nothing else changes.
    assert configured.api is not None and configured.api.title == "configured"
    assert plain == replace(configured, api=None)


@pytest.mark.parametrize(("config", "position", "code", "message"), [
    ("modles: {}\n", "1:1", "FB401", "unknown key 'modles'"),
    ("models:\n  User:\n    hide: [email]\n", "3:5", "FB401", "unknown key 'hide' in models.User"),
    ("models:\n  User:\n    expose: no-thanks\n", "3:13", "FB402", "must be true or false"),
    ("models:\n  User:\n    path: people\n", "3:11", "FB402", "resource path"),
    ("models:\n  User:\n    path: /_batch\n", "3:11", "FB402", "cannot start with /_"),
    ("models:\n  User:\n    operations: [list, browse]\n", "3:24", "FB402", "'browse'"),
    ("models:\n  User:\n    fields: {email: secret}\n", "3:21", "FB402", "not a field role"),
    ("models: [unclosed\n", "2:1", "FB404", "not valid YAML"),
    ("models:\n  Usr: {}\n", "2:3", "FB406", "'Usr', not a model"),
    ("models:\n  User:\n    fields:\n      emial: hidden\n", "4:7", "FB406", "'emial'"),
    ("models:\n  User:\n    fields: {id: hidden}\n", "3:18", "FB407", "cannot be hidden"),
    ("models:\n  User: {path: /posts}\n", "", "FB007", "both map to /posts"),
    ("models:\n  '*': {fields: {id: hidden}}\n", "2:9", "FB402", "every other model"),
])
def test_each_mistake_is_reported_at_its_position(tmp_path: Path, config: str, position: str,
                                                  code: str, message: str) -> None:
    with pytest.raises(Exception) as raised:
        _compile(tmp_path, config)
    text = str(raised.value)
    assert f"{code}: " in text and message in text, text
    if position:
        assert isinstance(raised.value, ConfigError)
        assert text.startswith(f"fastbackend.yaml:{position}: error {code}"), text


def test_the_cli_exits_2_on_a_configuration_error(tmp_path: Path) -> None:
    project = _project(tmp_path, "models:\n  User:\n    fields: {email: secret}\n")
    code, _, stderr = run("compile", str(project))
    assert code == 2
    assert "fastbackend.yaml:3:21: error FB402" in stderr


def test_variables_are_never_resolved_by_the_compiler(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_SECRET", "hunter2-value")
    project = _project(tmp_path, 'schema: models.py\ncors: {allow_origins: ["${API_SECRET}"]}\n')
    code, _, _ = run("compile", str(project), "--target", "ir", "--target", "openapi")
    assert code == 0
    written = [p.read_text() for p in (project / ".fastbackend").iterdir() if p.is_file()]
    assert written and not any("hunter2" in text for text in written)


def test_an_empty_file_parses() -> None:
    assert parse("").data == {}


INFO_MODELS = """
from sqlalchemy import Column, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    password: Mapped[str] = mapped_column(info={"fastbackend": {"write_only": True}})
    risk: Mapped[int] = mapped_column(default=0, info={"fastbackend": {"hidden": True}, "x": 1})
    code = Column(String, info={"fastbackend": {"read_only": True}})
    plain: Mapped[str] = mapped_column(info={"owner": "someone else"})
"""


def test_the_sqlalchemy_front_end_reads_roles_from_column_info(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(INFO_MODELS)
    account = compile_path(tmp_path / "models.py")[1].ir.entity("Account")
    assert account.field("password").api.write_only
    assert account.field("risk").api.hidden
    assert account.field("code").api.read_only
    plain = account.field("plain").api
    assert not (plain.hidden or plain.write_only or plain.read_only)


def test_the_yaml_file_overrides_a_role_from_info(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(INFO_MODELS)
    (tmp_path / "fastbackend.yaml").write_text("models:\n  Account:\n    fields: {risk: visible}\n")
    assert not compile_path(tmp_path)[1].ir.entity("Account").field("risk").api.hidden
