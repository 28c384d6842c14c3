"""The runtime's lifecycle hooks (migrations, the build entry module), found through the
``fastbackend.runtime`` entry-point group so the compiler never imports an adapter by name.

The protocols below say what the CLI relies on; the FastAPI runtime's ``lifecycle.RUNTIME``
provides it.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from fastbackend_ir import IR

ENTRY_POINT_GROUP = "fastbackend.runtime"
DEFAULT_RUNTIME = "fastapi"


class RuntimeMissing(Exception):
    """No runtime is installed under the name asked for."""


class Revision(Protocol):
    @property
    def operations(self) -> tuple[str, ...]: ...
    @property
    def destructive(self) -> tuple[str, ...]: ...
    @property
    def path(self) -> Path | None: ...


class Migrations(Protocol):
    @property
    def url(self) -> str: ...
    def scaffold(self) -> bool: ...
    def pending(self) -> list[str]: ...
    def generate(self, message: str | None, allow_destructive: bool) -> Revision: ...
    def sql(self) -> str: ...
    def apply(self) -> list[str]: ...


class Runtime(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def entry_module(self) -> str: ...
    @property
    def requirements(self) -> tuple[str, ...]: ...
    @property
    def errors(self) -> tuple[type[Exception], ...]: ...
    def migrations(self, folder: Path, ir_path: Path, database_url: str | None,
                   ir: IR | None = None) -> Migrations:
        """``ir``: the IR at ``ir_path`` when the caller has it in hand (then it is not read
        back from the file)."""
        ...


def load_runtime(name: str = DEFAULT_RUNTIME) -> Runtime:
    for point in entry_points(group=ENTRY_POINT_GROUP, name=name):
        runtime: Runtime = point.load()
        return runtime
    raise RuntimeMissing(f"no runtime named {name!r} is installed (entry-point group "
                         f"{ENTRY_POINT_GROUP}); reinstall fastbackend")
