"""`fastbackend dev` reload: recompile first; on a compile error or an app that fails to start,
the last good app keeps serving."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from fastbackend.cli.main import cli
from tests import local_http
from tests.e2e.processes import FASTBACKEND, answers, free_port, running, wait_until

pytestmark = pytest.mark.slow

BROKEN_ROUTER = 'raise RuntimeError("this custom router is broken")\n'


def hello(base: str) -> str | None:
    try:
        response = local_http.get(base + "/hello", timeout=5)
    except httpx.HTTPError:
        return None
    message = response.json().get("message") if response.status_code == 200 else None
    return str(message) if message is not None else None


def test_reload_keeps_the_last_good_app_through_errors(tmp_path: Path) -> None:
    project = tmp_path / "app"
    CliRunner().invoke(cli, ["init", str(project), "-q"], catch_exceptions=False)
    custom = project / "app" / "custom"
    models = project / "models.py"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "dev.log"

    def logged(text: str, times: int = 1) -> bool:
        return log.read_text("utf-8").count(text) >= times

    with running([*FASTBACKEND, "dev", "--port", str(port)], project, log) as dev:
        wait_until(lambda: answers(base + "/healthz"), 60, "dev to serve", dev, log)
        assert hello(base) == "Hello, world!"

        (custom / "broken.py").write_text(BROKEN_ROUTER, "utf-8")
        wait_until(lambda: logged("the new app did not start"), 60, "a failed start", dev, log)
        assert logged("this custom router is broken")
        assert hello(base) == "Hello, world!"

        (custom / "broken.py").unlink()
        good_models = models.read_text("utf-8")
        models.write_text(good_models + "\nclass Broken(:\n", "utf-8")
        wait_until(lambda: logged("error FB101"), 60, "the compile error", dev, log)
        assert logged("the last good app keeps serving", 2)
        assert hello(base) == "Hello, world!"

        models.write_text("# a comment changes no byte of the IR\n" + good_models, "utf-8")
        wait_until(lambda: logged("the API is unchanged; no reload"), 60, "no reload", dev, log)

        hello_py = custom / "hello.py"
        hello_py.write_text(hello_py.read_text("utf-8").replace("Hello", "Howdy"), "utf-8")
        wait_until(lambda: hello(base) == "Howdy, world!", 60, "the new route", dev, log)
        wait_until(lambda: logged("reloaded"), 30, "the old server to stop", dev, log)
    assert dev.returncode == 0
    assert not answers(base + "/healthz")  # the server process went with the supervisor
    assert "Exception ignored" not in log.read_text("utf-8")  # nothing runs between fork and exec


def test_sigterm_stops_the_server_process_too(tmp_path: Path) -> None:
    project = tmp_path / "app"
    CliRunner().invoke(cli, ["init", str(project), "-q"], catch_exceptions=False)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "dev.log"
    with running([*FASTBACKEND, "dev", "--port", str(port)], project, log) as dev:
        wait_until(lambda: answers(base + "/healthz"), 60, "dev to serve", dev, log)
        dev.send_signal(signal.SIGTERM)
        dev.wait(timeout=30)
        assert dev.returncode == 0
        assert not answers(base + "/healthz")
        assert "Finished server process" in log.read_text("utf-8")
        assert "Exception ignored" not in log.read_text("utf-8")


def test_no_reload_serves_in_this_process_and_reload_supervises(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from fastbackend.cli import dev_reload

    project = tmp_path / "app"
    CliRunner().invoke(cli, ["init", str(project), "-q"], catch_exceptions=False)
    served: list[tuple[str, int]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append((app, options["port"])))
    supervised: list[object] = []
    monkeypatch.setattr(dev_reload.Supervisor, "run", lambda self: supervised.append(self))
    port = free_port()
    # `dev --no-reload` sets these in its own process for uvicorn's factory; here that process
    # is pytest's, so monkeypatch takes them back afterwards (later tests start servers).
    for name in ("FASTBACKEND_IR", "FASTBACKEND_CUSTOM_PATH"):
        monkeypatch.setenv(name, "")
    plain = CliRunner().invoke(cli, ["dev", str(project), "--port", str(port), "--no-reload"],
                               catch_exceptions=False)
    assert plain.exit_code == 0 and "reloading" not in plain.stdout
    assert served == [("fastbackend_fastapi.asgi:create_app_from_env", port)] and not supervised
    assert os.environ["FASTBACKEND_CUSTOM_PATH"] == str((project / "app" / "custom").resolve())
    reloading = CliRunner().invoke(cli, ["dev", str(project), "--port", str(port)],
                                   catch_exceptions=False)
    assert reloading.exit_code == 0 and "reloading on changes" in reloading.stdout
    (supervisor,) = supervised
    assert isinstance(supervisor, dev_reload.Supervisor)
    assert supervisor.watched.app == (project / "app").resolve()
    supervisor.listener.close()


def test_a_killed_supervisor_takes_the_server_down_with_it(tmp_path: Path) -> None:
    project = tmp_path / "app"
    CliRunner().invoke(cli, ["init", str(project), "-q"], catch_exceptions=False)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "dev.log"
    with running([*FASTBACKEND, "dev", "--port", str(port)], project, log) as dev:
        wait_until(lambda: answers(base + "/healthz"), 60, "dev to serve", dev, log)
        dev.kill()  # SIGKILL: no chance to clean up
        dev.wait(timeout=30)
        wait_until(lambda: not answers(base + "/healthz"), 30, "the orphan server to stop")
