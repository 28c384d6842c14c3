"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import resource
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.services import (
    close_database_pools,
    require_node,
    temporary_mariadb_database,
    temporary_postgres_database,
)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"

# compile --check's stamps go to a folder of the test run's own, not the user's cache folder
# (subprocesses inherit it); tests/compiler/test_check_stamps.py gives each test its own.
os.environ.setdefault("FASTBACKEND_CACHE_DIR", tempfile.mkdtemp(prefix="fastbackend-stamps-"))


@pytest.fixture
def golden_blog_ir_path() -> Path:
    return GOLDEN / "blog.ir.json"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL of a fresh, empty PostgreSQL database (postgresql+psycopg://...)."""
    with temporary_postgres_database() as url:
        yield url


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A SQLAlchemy URL of a fresh, empty MariaDB database (mysql+pymysql://...)."""
    with temporary_mariadb_database() as url:
        yield url


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
             pytest.param("mariadb", marks=pytest.mark.mariadb)]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes it runs on SQLite, PostgreSQL and MariaDB (CI requires all)."""
    if request.param == "sqlite":
        return f"sqlite+pysqlite:///{tmp_path / 'app.db'}"
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sqlite_or_postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """``database_url`` without MariaDB: for the features it refuses (full-text search) and the
    tests that need PostgreSQL's own behaviour beside SQLite's (LISTEN/NOTIFY)."""
    if request.param == "sqlite":
        return f"sqlite+pysqlite:///{tmp_path / 'app.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def compile_models(folder: Path, models: str, config: str) -> Path:
    """``folder`` made a project of ``models`` (models.py) and ``config`` (fastbackend.yaml),
    compiled; its IR's path."""
    from fastbackend.pipeline import compile_path

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models.py").write_text(models, "utf-8")
    (folder / "fastbackend.yaml").write_text(config, "utf-8")
    _, result = compile_path(folder)
    ir_path = folder / "ir.json"
    ir_path.write_text(result.ir_text or "", "utf-8")
    return ir_path


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``database_url``, one database per test module: for the tests that only read what their
    module seeded, or are refused before the database, so they share one app (each app and
    database costs a few hundred milliseconds, and such tests come by the dozen)."""
    if request.param == "sqlite":
        yield f"sqlite+pysqlite:///{tmp_path_factory.mktemp('shared') / 'app.db'}"
    else:
        with (temporary_postgres_database() if request.param == "postgres"
              else temporary_mariadb_database()) as url:
            yield url


@pytest.fixture(scope="session")
def node() -> str:
    return require_node()


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Under pytest-xdist (`make test`), each test file runs on one worker, so module-scoped
    fixtures (a wheel, a venv, a server) are built once; and every Express test shares one
    worker, so their session fixtures (npm ci, an emitted and compiled server per IR) are too.
    (xdist's own `--dist loadgroup` reads a node id that pytest 9.2 no longer lets it change.)"""
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    # xdist would reorder the files by their number of tests, which starts a file of one long test
    # (schemathesis' CLI, a wheel build) last, when nothing is left to run beside it; keep the
    # order of pytest_collection_modifyitems below instead.
    config.option.loadscopereorder = False

    class OneWorkerPerFileAndOneForExpress(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "express" if path.startswith("tests/adapters/express/") else path

    return OneWorkerPerFileAndOneForExpress(config, log)


# The Express group's fixtures that wait on a build (tests/adapters/express/builds.py).
EXPRESS_BUILDS = frozenset({"express_node_modules", "express_library", "express_library_lint",
                            "express_servers"})


def _express_or_slow_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """The Express group, then the files that have a slow test, then the rest, each file's tests
    in their own order: under xdist the longest work starts first and the many short in-process
    files fill the gaps at the end (longest-first scheduling), so no worker idles for minutes
    while another runs one long test. In the group, the files that need no Express build come
    first: they run while the builds go on, on threads of the same worker."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    building_files = {item.path for item in items if EXPRESS_BUILDS & set(item.fixturenames)}

    def rank(item: pytest.Item) -> int:
        if "adapters/express/" in item.path.as_posix():
            return 1 if item.path in building_files else 0
        return 2 if item.path in slow_files else 3

    return sorted(items, key=rank)  # stable: each file's tests keep their order


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items[:] = _express_or_slow_first(items)


def _cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for (the servers and commands
    a test starts), which does not grow when other work shares the cores as wall time does."""
    own, children = (resource.getrusage(who)
                     for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


CPU_AT_START = pytest.StashKey[float]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[CPU_AT_START] = _cpu_seconds()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport,
                                                                        pytest.TestReport]:
    report = yield
    if call.when == "teardown" and CPU_AT_START in item.stash:
        # On the report, which xdist ships to the process that prints the summary.
        report.user_properties.append(("cpu_seconds",
                                       _cpu_seconds() - item.stash[CPU_AT_START]))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    """With --durations (make test), the time each file took, setup and teardown included, and
    the Express group's: files are what the workers are given (one file on one worker, the
    Express group on one), so these are the figures that decide the wall time."""
    if config.option.durations is None:  # --durations=0 (every test's) prints them too
        return
    by_file: dict[str, float] = {}
    cpu_by_file: dict[str, float] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if isinstance(report, pytest.TestReport):
                path = report.nodeid.split("::", 1)[0]
                by_file[path] = by_file.get(path, 0.0) + report.duration
                cpu = dict(report.user_properties).get("cpu_seconds")
                if report.when == "teardown" and isinstance(cpu, float):
                    cpu_by_file[path] = cpu_by_file.get(path, 0.0) + cpu
    if not by_file:
        return

    def express(figures: dict[str, float]) -> float:
        return sum(t for path, t in figures.items() if path.startswith("tests/adapters/express/"))

    terminalreporter.write_sep("=", "seconds per test file (slowest 25): wall, then CPU")
    for path, spent in sorted(by_file.items(), key=lambda item: -item[1])[:25]:
        terminalreporter.write_line(f"{spent:8.1f} {cpu_by_file.get(path, 0.0):8.1f}  {path}")
    terminalreporter.write_line(f"{express(by_file):8.1f} {express(cpu_by_file):8.1f}  the Express "
                                f"group (one worker), of {sum(by_file.values()):.1f} wall and "
                                f"{sum(cpu_by_file.values()):.1f} CPU in all (the databases' "
                                "own CPU is not counted)")
    terminalreporter.write_sep("=", "CPU seconds per test file (highest 25)")
    for path, spent in sorted(cpu_by_file.items(), key=lambda item: -item[1])[:25]:
        terminalreporter.write_line(f"{spent:8.1f}  {path}")
    # Every file's figures, for finding where the suite's time goes (docs/testing.md).
    if table := os.environ.get("FASTBACKEND_TEST_TIMES"):
        Path(table).write_text("".join(
            f"{by_file[path]:.1f}\t{cpu_by_file.get(path, 0.0):.1f}\t{path}\n"
            for path in sorted(by_file, key=lambda path: -cpu_by_file.get(path, 0.0))), "utf-8")


def pytest_sessionfinish(session: pytest.Session) -> None:
    close_database_pools()
