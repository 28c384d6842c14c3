"""fastbackend.yaml at startup: one clear error per wrong key (file:line:col), ${VAR}, .env."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fastbackend_contract.config import dotenv, parse
from fastbackend_fastapi import ConfigError, create_app
from tests.adapters.fastapi.tenancy import CONFIG, write_project


def _start(tmp_path: Path, config: str) -> None:
    ir_path = write_project(tmp_path / "project")  # compiled with a valid file, then:
    (tmp_path / "project" / "fastbackend.yaml").write_text(config)
    create_app(ir_path, database_url=f"sqlite+pysqlite:///{tmp_path / 'app.db'}",
               custom_path=None)


@pytest.mark.parametrize(("config", "where", "code", "message"), [
    ("schema: models.py\nauht: {}\n", "2:1", "FB401", "unknown key 'auht'"),
    ("cors:\n  allow_origin: [x]\n", "2:3", "FB401", "unknown key 'allow_origin' in cors"),
    ("limits:\n  max_body_bytes: lots\n", "2:19", "FB402",
     "limits.max_body_bytes must be a number of bytes"),
    ("headers:\n  hsts_max_age: true\n", "2:17", "FB402", "headers.hsts_max_age must be"),
    ("cors:\n  allow_origins: ['${NOT_SET_ANYWHERE}']\n", "2:19", "FB403",
     "${NOT_SET_ANYWHERE} is not set"),
    ("cors: [unclosed\n", "2:1", "FB404", "not valid YAML"),
    ("auth:\n  dependencies: [app.auth:nobody]\n", "2:18", "FB405",
     "cannot import 'app.auth:nobody'"),
    ("auth:\n  dependencies: [app.auth]\n", "2:18", "FB405", "not an import path"),
    ("auth:\n  models:\n    Projcet: {}\n", "3:5", "FB406", "'Projcet', not a model"),
    ("auth:\n  models:\n    Task:\n      scope: {tenant: app.auth:tenant}\n", "4:15", "FB406",
     "'tenant' is not a field"),
    ("auth:\n  models:\n    Task:\n      dependencies: {remove: [app.auth:current_user]}\n",
     "4:22", "FB401", "unknown key 'remove'"),
])
def test_each_mistake_names_its_line_and_code(tmp_path: Path, config: str, where: str,
                                              code: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _start(tmp_path, "schema: models.py\n" + config if "schema" not in config else config)
    text = str(raised.value)
    line, column = where.split(":")
    expected_line = int(line) + (0 if config.startswith("schema") else 1)
    assert text.startswith(f"fastbackend.yaml:{expected_line}:{column}: error {code}: "), text
    assert message in text


def test_the_valid_tenancy_config_starts(tmp_path: Path) -> None:
    _start(tmp_path, CONFIG)


def test_variables_come_from_the_environment_before_dot_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("# comment\nexport ORIGIN='https://dotenv.example'\nOTHER=1\n")
    assert dotenv(tmp_path) == {"ORIGIN": "https://dotenv.example", "OTHER": "1"}
    from fastbackend_contract.config import Section, environment
    document = parse("cors:\n  allow_origins: ['${ORIGIN}', '${OTHER}']\n")
    section = Section(document, ("cors",), environment(tmp_path, {"OTHER": "2"}))
    assert section.strings("allow_origins") == ("https://dotenv.example", "2")


def test_a_variable_may_have_a_default(tmp_path: Path) -> None:
    from fastbackend_contract.config import Section
    document = parse("cors:\n  allow_origins: ['${NOPE:-http://localhost:5173}', '${SET:-x}']\n")
    section = Section(document, ("cors",), {"SET": "from-env"})
    assert section.strings("allow_origins") == ("http://localhost:5173", "from-env")


def test_an_empty_file_is_no_configuration() -> None:
    assert parse("").data == {}


def test_a_list_at_the_top_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"^fastbackend.yaml:1:1: error FB402"):
        parse("- a\n- b\n")


def test_secrets_are_resolved_at_startup_and_never_served(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_ORIGIN", "https://s3cr3t.example")
    config = CONFIG + textwrap.dedent("""
    cors:
      allow_origins: ["${SECRET_ORIGIN}"]
    """)
    ir_path = write_project(tmp_path / "project", config)
    assert "s3cr3t" not in ir_path.read_text()
    app = create_app(ir_path, database_url=f"sqlite+pysqlite:///{tmp_path / 'app.db'}",
                     custom_path=None)
    assert "s3cr3t" not in str(app.openapi())


def test_the_server_factory_stops_with_the_message_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from fastbackend_fastapi.asgi import create_app_from_env

    ir_path = write_project(tmp_path / "project")
    (tmp_path / "project" / "fastbackend.yaml").write_text("cors:\n  origins: [x]\n")
    monkeypatch.setenv("FASTBACKEND_IR", str(ir_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+pysqlite:///{tmp_path / 'app.db'}")
    with pytest.raises(SystemExit) as stopped:
        create_app_from_env()
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith("fastbackend.yaml:2:3: error FB401: unknown key")
