"""`fastbackend dev [SOURCE] [--port]`: compile, then serve any models file."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from fastbackend.cli import dev
from fastbackend.cli.main import cli
from fastbackend_ir import load
from tests import local_http
from tests.conftest import ROOT

MODELS = ROOT / "examples" / "blog" / "models.py"


def test_dev_compiles_writes_the_ir_and_serves_it(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(MODELS, tmp_path / "models.py")
    served: list[tuple[Path, Path, str, int]] = []
    monkeypatch.setattr(dev, "serve", lambda *args: served.append(args))
    result = CliRunner().invoke(cli, ["dev", str(tmp_path / "models.py"), "--port", "8311"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ir_path = tmp_path / ".fastbackend" / "ir.json"
    assert served == [(ir_path, tmp_path / "app" / "custom", "127.0.0.1", 8311)]
    assert "User" in load(ir_path).entities
    assert "serving http://127.0.0.1:8311" in result.output


def test_dev_on_input_that_does_not_compile_exits_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["dev", str(tmp_path / "missing.py")])
    assert result.exit_code == 3
    assert "FB002" in result.output and "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow  # a server in a subprocess
def test_dev_serves_a_models_file_over_http(tmp_path: Path) -> None:
    shutil.copy(MODELS, tmp_path / "models.py")
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from fastbackend.cli.main import main; main()", "dev",
         "models.py", "--port", str(port)], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if local_http.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        created = local_http.post(base + "/users", json={"email": "dev@x.io"}, timeout=5)
        assert created.status_code == 201
        assert local_http.get(base + created.headers["location"], timeout=5).json()["email"] == "dev@x.io"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()
    assert (tmp_path / ".fastbackend" / "app.db").is_file()


def test_compile_target_fastapi_writes_a_servable_entry_point(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util
    import warnings

    shutil.copy(MODELS, tmp_path / "models.py")
    result = CliRunner().invoke(cli, ["compile", str(tmp_path / "models.py"), "--target", "ir",
                                      "--target", "fastapi"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    entry = tmp_path / ".fastbackend" / "asgi.py"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'served.db'}")
    spec = importlib.util.spec_from_file_location("generated_asgi", entry)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    with TestClient(module.app) as client:
        assert client.post("/users", json={"email": "t@x.io"}).status_code == 201
