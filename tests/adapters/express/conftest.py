"""Fixtures of the Express tests: node_modules installed once, emitted servers on PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.adapters.express.builds import Builds, ahead
from tests.adapters.express.harness import IR_PATHS
from tests.adapters.express.library import LibraryBuild
from tests.adapters.express.servers import Server, Servers, clients
from tests.conftest import EXPRESS_BUILDS


@pytest.fixture(scope="session", autouse=True)
def express_builds(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds | None]:
    """From the group's first test on, when any test of the session needs a build: npm ci, the
    library and the projects the tests announce, built on threads beside the tests (builds.py;
    tests/conftest.py runs the group's files that need no build first)."""
    items = [item for item in request.session.items if EXPRESS_BUILDS & set(item.fixturenames)]
    if not items or shutil.which("node") is None:  # nothing to build, or `node` says why not
        yield None
        return
    builds = Builds(tmp_path_factory.mktemp("express-builds"))
    builds.start(ahead(items))
    if any("express_library_lint" in item.fixturenames for item in items):
        builds.start_lint()
    yield builds
    builds.close()


def _builds(express_builds: Builds | None) -> Builds:
    assert express_builds is not None, "no test of the session was seen to need a build"
    return express_builds


@pytest.fixture(scope="session")
def express_node_modules(node: str, express_builds: Builds | None) -> Path:
    """`npm ci` once per session from the emitted lockfile (it is the same for every IR);
    each emitted project links to this node_modules."""
    return _builds(express_builds).node_modules()


@pytest.fixture(scope="session")
def express_library(node: str, express_builds: Builds | None) -> LibraryBuild:
    """The support library type-checked and compiled once per session (library.py)."""
    return _builds(express_builds).library()


@pytest.fixture(scope="session")
def express_library_lint(node: str, express_builds: Builds | None) -> subprocess.CompletedProcess[str]:
    """ESLint's answer on the library, run on a build thread beside the tests (builds.py)."""
    return _builds(express_builds).lint()


@pytest.fixture(scope="session")
def express_servers(node: str, express_builds: Builds | None,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    servers = Servers(_builds(express_builds), tmp_path_factory.mktemp("express-servers"))
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
