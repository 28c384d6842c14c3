"""`make demo`: compile examples/blog, migrate its database, seed a few rows on first run, and
serve it with its docs, using the `fastbackend` commands.

    python examples/demo.py [--port 8301] [--data-dir DIR]

The database and its migrations live in DIR (default examples/blog/.fastbackend), so the demo
writes nothing into the repository but compiled outputs.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import uvicorn
from fastapi import FastAPI

with warnings.catch_warnings():
    # Starlette asks for httpx2, not yet released for this stack; httpx works the same here.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from fastbackend.cli.main import cli
from fastbackend_fastapi import create_app

BLOG = Path(__file__).resolve().parent / "blog"

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


def build(database_url: str) -> FastAPI:
    return create_app(BLOG / ".fastbackend" / "ir.json", database_url=database_url,
                      custom_path=None)


def seed(app: FastAPI) -> None:
    with TestClient(app) as client:
        if client.get("/users", params={"limit": 1}).json()["data"]:
            return
        for path, rows in SEED:
            response = client.post(f"{path}/bulk", json=rows)
            response.raise_for_status()
        for link in LINKS:
            client.put(link).raise_for_status()
        print("seeded users, tags, posts and comments")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8301)
    parser.add_argument("--data-dir", type=Path, default=BLOG / ".fastbackend")
    args = parser.parse_args()
    database_url = prepare(args.data_dir)
    seed(build(database_url))
    print(f"serving the blog API at http://127.0.0.1:{args.port}  (docs: /docs)")
    uvicorn.run(build(database_url), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
