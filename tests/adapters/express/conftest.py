"""Fixtures of the Express tests: node_modules installed once, emitted servers on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from fastbackend_express import render_project
from tests.adapters.express.harness import IR_PATHS, load_ir, run
from tests.adapters.express.library import LibraryBuild, build_library
from tests.adapters.express.servers import Server, Servers, clients


@pytest.fixture(scope="session")
def express_node_modules(node: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`npm ci` once per session from the emitted lockfile (it is the same for every IR);
    each emitted project links to this node_modules."""
    folder = tmp_path_factory.mktemp("express-deps")
    outputs = render_project(load_ir("blog"))
    (folder / "package.json").write_text(outputs["package.json"], encoding="utf-8")
    (folder / "package-lock.json").write_text(outputs["package-lock.json"], encoding="utf-8")
    run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], folder)
    return folder / "node_modules"


@pytest.fixture(scope="session")
def express_library(node: str, tmp_path_factory: pytest.TempPathFactory) -> LibraryBuild:
    """The support library type-checked and compiled once per session (library.py)."""
    return build_library(tmp_path_factory.mktemp("express-library") / "support")


@pytest.fixture(scope="session")
def express_servers(express_node_modules: Path, express_library: LibraryBuild,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    servers = Servers(express_node_modules, tmp_path_factory.mktemp("express-servers"), express_library)
    yield servers
    servers.close()


@pytest.fixture
def blog(express_servers: Servers) -> Iterator[httpx.Client]:
    yield from clients(express_servers.get("blog"))


@pytest.fixture
def kitchen(express_servers: Servers) -> Iterator[httpx.Client]:
    yield from clients(express_servers.get("kitchen"))


@pytest.fixture
def implicit(express_servers: Servers) -> Iterator[httpx.Client]:
    yield from clients(express_servers.get("implicit"))


@pytest.fixture
def one_sided(express_servers: Servers) -> Iterator[httpx.Client]:
    yield from clients(express_servers.get("one_sided"))


@pytest.fixture
def blog_prisma(express_servers: Servers) -> Iterator[httpx.Client]:
    yield from clients(express_servers.get("blog_prisma"))


@pytest.fixture
def views(express_servers: Servers) -> Iterator[httpx.Client]:
    yield from clients(express_servers.get("views"))


@pytest.fixture
def make_client(express_servers: Servers) -> Iterator[Callable[[Path], httpx.Client]]:
    """The FastAPI suite's `make_client(ir_path)`: the first call gives the IR's server (its
    tables emptied), later calls a second server process on the same database."""
    names = {path.resolve(): name for name, path in IR_PATHS.items()}
    opened: list[httpx.Client] = []

    def make(ir_path: Path) -> httpx.Client:
        name = names[ir_path.resolve()]
        if opened:
            server = express_servers.second_instance(name)
        else:
            server = express_servers.get(name)
            server.reset()
        opened.append(server.client())
        return opened[-1]

    yield make
    for client in opened:
        client.close()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, express_servers: Servers) -> str:
    """The database of the server the test also asked for (blog unless another IR's)."""
    asked = [name for name in ("kitchen", "implicit", "one_sided") if name in request.fixturenames]
    name = asked[0] if asked else "blog"
    server: Server = express_servers.get(name)
    return server.database_url
