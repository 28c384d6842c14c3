"""`make demo`: compile examples/blog, migrate its database, serve it with the runtime's
graceful server (`python -m fastbackend_fastapi.serve`), and seed a few rows on first run.

    python examples/demo.py [--port 8301] [--data-dir DIR]

The database and its migrations live in DIR (default examples/blog/.fastbackend), so the demo
writes nothing into the repository but compiled outputs. It needs the runtime only
(`pip install -e .`, no development extras): seeding goes through the API with the standard
library's HTTP client. A SIGTERM or Ctrl-C stops the server, which exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType

from fastbackend.cli.main import cli

BLOG = Path(__file__).resolve().parent / "blog"
START_TIMEOUT_S = 60
SERVER = [sys.executable, "-m", "fastbackend_fastapi.serve", "--factory",
          "fastbackend_fastapi.asgi:create_app_from_env", "--log-level", "warning"]

SEED: list[tuple[str, object]] = [
    ("/users", [{"email": "ada@example.com", "name": "Ada Lovelace"},
                {"email": "alan@example.com", "name": "Alan Turing"}]),
    ("/tags", [{"name": "python"}, {"name": "databases"}, {"name": "api"}]),
    ("/posts", [
        {"title": "Notes on the Analytical Engine", "body": "It weaves algebraic patterns.",
         "status": "published", "author_id": 1},
        {"title": "Computing Machinery", "body": "Can machines think?", "author_id": 2},
    ]),
    ("/comments", [{"body": "Beautiful.", "post_id": 1, "author_id": 2},
                   {"body": "Thank you!", "post_id": 1, "author_id": 1, "parent_id": 1}]),
]
LINKS = ["/posts/1/tags/1", "/posts/1/tags/3", "/posts/2/tags/2"]


def fastbackend(*args: str) -> None:
    """Run a `fastbackend` command in this process; stop the demo if it fails."""
    try:
        cli.main(list(args), prog_name="fastbackend", standalone_mode=False)
    except SystemExit as stop:
        if stop.code:
            raise


def prepare(data_dir: Path) -> str:
    """Compile the blog and migrate the demo database; returns its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{data_dir / 'demo.db'}"
    models = str(BLOG / "models.py")
    fastbackend("compile", models, "--target", "ir")
    fastbackend("migrate", models, "--apply", "--directory", str(data_dir / "migrations"),
                "--database-url", database_url)
    return database_url


def request(url: str, method: str = "GET", body: object = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    call = urllib.request.Request(url, data=data, method=method,
                                  headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(call, timeout=10) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until_serving(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}) while starting")
        try:
            if request(base + "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {START_TIMEOUT_S} s")


def seed(base: str) -> None:
    status, page = request(base + "/users?limit=1")
    if status == 200 and isinstance(page, dict) and page["data"]:
        return
    for path, rows in SEED:
        _ok(request(base + path + "/bulk", "POST", rows), path)
    for link in LINKS:
        _ok(request(base + link, "PUT"), link)
    print("seeded users, tags, posts and comments", flush=True)


def _ok(answer: tuple[int, object], what: str) -> None:
    if answer[0] >= 400:
        raise SystemExit(f"seeding {what} failed: {answer[0]} {answer[1]}")


def serve(database_url: str, port: int) -> int:
    """The server in its own process; this one seeds it, then waits, passing signals on."""
    environment = {**os.environ, "DATABASE_URL": database_url,
                   "FASTBACKEND_IR": str(BLOG / ".fastbackend" / "ir.json")}
    server = subprocess.Popen([*SERVER, "--host", "127.0.0.1", "--port", str(port)],
                              env=environment)

    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        server.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, server)
        seed(base)
        print(f"serving the blog API at {base}  (docs: {base}/docs)", flush=True)
        return server.wait()
    except KeyboardInterrupt:  # Ctrl-C reached the server too: it drains and exits 0
        return server.wait()
    except (OSError, SystemExit):
        if not stopping.is_set():
            raise
        return server.wait()  # stopped while starting or seeding: the server's own exit
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8301)
    parser.add_argument("--data-dir", type=Path, default=BLOG / ".fastbackend")
    args = parser.parse_args()
    sys.exit(serve(prepare(args.data_dir), args.port))


if __name__ == "__main__":
    main()
