"""`make demo`: compile examples/blog, seed a few rows on first run, serve it with its docs.

    python examples/demo.py [--port 8301] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import uvicorn
from fastapi import FastAPI

with warnings.catch_warnings():
    # Starlette asks for httpx2, not yet released for this stack; httpx works the same here.
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

from fastbackend.pipeline import compile_path
from fastbackend.targets import IR_TARGET, render
from fastbackend_fastapi import create_app
from fastbackend_ir import write_if_changed

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


def build(data_dir: Path) -> FastAPI:
    sources, result = compile_path(BLOG / "models.py")
    for name, text in render(IR_TARGET, result).items():
        write_if_changed(sources.output_dir / name, text)
    print(f"compiled {sources.entry.name}: {len(result.ir.entities)} entities")
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{data_dir / 'demo.db'}"
    return create_app(sources.output_dir / "ir.json", database_url=database_url, custom_path=None)


def seed(app: FastAPI) -> None:
    with TestClient(app) as client:
        if client.get("/users", params={"limit": 1}).json()["data"]:
            return
        for path, rows in SEED:
            response = client.post(path, json=rows)
            response.raise_for_status()
        for link in LINKS:
            client.put(link).raise_for_status()
        print("seeded users, tags, posts and comments")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8301)
    parser.add_argument("--data-dir", type=Path, default=BLOG / ".fastbackend")
    args = parser.parse_args()
    app = build(args.data_dir)
    seed(app)
    print(f"serving the blog API at http://127.0.0.1:{args.port}  (docs: /docs)")
    uvicorn.run(build(args.data_dir), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
