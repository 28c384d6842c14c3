"""fastbackend build: a production folder that `uvicorn main:app` serves.

It holds the IR, the OpenAPI contract, an ASGI entry module from the runtime, fastbackend.yaml,
the app/ package and a requirements.txt of what serving needs: no compiler, libcst or lark;
with --wheels, the wheels of those distributions as this environment has them (wheels.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fastbackend.cli.check import display
from fastbackend.cli.exit_codes import handle_errors
from fastbackend.cli.options import json_option, source_and_quiet
from fastbackend.cli.project import Compiled, Printer, compile_ir, runtime
from fastbackend.runtimes import Runtime
from fastbackend.sources import CONFIG_FILE
from fastbackend.targets import IR_TARGET, available, render
from fastbackend_ir import write_if_changed

if TYPE_CHECKING:  # wheels.py needs `packaging`, loaded when wheels are asked for
    from fastbackend.cli.wheels import WheelSet

DEFAULT_OUT = "build"
WHEELS = "wheels"
EPILOG = """\b
Examples:
  fastbackend build                   # -> build/ beside the project
  fastbackend build --out dist/api
  fastbackend build --wheels          # ... and build/wheels/: what this environment has installed
  pip install --no-index --find-links build/wheels --no-deps fastbackend
  pip install --no-index --find-links build/wheels -r build/wheels/requirements.txt
  cd build && python -m fastbackend_fastapi.serve main:app --host 0.0.0.0 --port 8000
Exit codes: 0 ok, 2 usage error, 3 the models do not compile.
"""


@dataclass(frozen=True)
class Built:
    out_dir: Path
    files: dict[str, str]
    written: list[str]
    removed: list[str]
    wheels: WheelSet | None = None


@click.command("build", epilog=EPILOG,
               short_help="Compile for production: a folder uvicorn serves.")
@source_and_quiet
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help=f"Output folder. Default: {DEFAULT_OUT}/ beside the project.")
@click.option("--wheels", "with_wheels", is_flag=True,
              help=f"Also write {WHEELS}/: wheels of fastbackend and of the runtime's "
                   "requirements as installed here, and a requirements.txt pinning them.")
@json_option
@handle_errors
def build_command(source: Path | None, quiet: bool, out: Path | None, with_wheels: bool,
                  as_json: bool) -> None:
    """Compile SOURCE for production into a folder with ir.json, openapi.yaml, main.py (the
    ASGI entry point: `uvicorn main:app`), fastbackend.yaml, the app/ package (custom routers
    and the code they import) and requirements.txt (the runtime's dependencies only, with
    uvicorn's fast stack). Only files whose content changed are written.
    """
    started = time.perf_counter()
    printer = Printer(quiet, as_json)
    compiled = compile_ir(source, quiet or as_json)
    built = write_build(compiled, out or compiled.root / DEFAULT_OUT, with_wheels)
    elapsed_ms = (time.perf_counter() - started) * 1000
    shown = display(built.out_dir)
    printer.done(f"built {shown}/ in {elapsed_ms:.0f} ms: {len(built.files)} files, "
                 f"{len(built.written)} written; serve it with: cd {shown} && "
                 "python -m fastbackend_fastapi.serve main:app")
    if built.wheels is not None:
        report_wheels(printer, built)
    printer.result({"out": str(built.out_dir), "files": sorted(built.files),
                    "written": built.written, "removed": built.removed,
                    "wheels": built.wheels.wheels if built.wheels else None})


def write_build(compiled: Compiled, out_dir: Path, with_wheels: bool = False) -> Built:
    """The build folder of ``compiled`` (and its wheels/), writing only what changed."""
    found = runtime()
    files = build_files(compiled, found)
    written = [name for name, text in sorted(files.items())
               if write_if_changed(out_dir / name, text)]
    removed = _remove_stale_code(out_dir, files)
    wheels = None
    if with_wheels:
        from fastbackend.cli.wheels import write_wheels
        wheels = write_wheels(out_dir / WHEELS, found.requirements)
    return Built(out_dir, files, written, removed, wheels)


def report_wheels(printer: Printer, built: Built) -> None:
    assert built.wheels is not None
    printer.done(f"wrote {len(built.wheels.wheels)} wheels to {display(built.out_dir / WHEELS)}/")
    if built.wheels.missing:
        printer.warn("not installed here, so left to the package index: "
                     + ", ".join(built.wheels.missing))


def build_files(compiled: Compiled, found: Runtime) -> dict[str, str]:
    files = {"ir.json": render(IR_TARGET, compiled.result)["ir.json"],
             "main.py": found.entry_module,
             "requirements.txt": "".join(f"{line}\n" for line in found.requirements)}
    openapi = available().get("openapi")
    if openapi is not None:
        files.update(render(openapi, compiled.result))
    config = compiled.root / CONFIG_FILE
    if config.is_file():  # the runtime reads auth, CORS and limits from it
        files[CONFIG_FILE] = config.read_text("utf-8")
    for path in _app_code(compiled.root / "app"):
        files[path.relative_to(compiled.root).as_posix()] = path.read_text("utf-8")
    return files


def _app_code(folder: Path) -> list[Path]:
    """app/**/*.py: custom routers and the modules they import (`from app.auth import ...`)."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*.py") if "__pycache__" not in path.parts)


def _remove_stale_code(out_dir: Path, files: dict[str, str]) -> list[str]:
    """A module deleted from app/ must not keep serving from the build."""
    removed = []
    for path in _app_code(out_dir / "app"):
        name = path.relative_to(out_dir).as_posix()
        if name not in files:
            path.unlink()
            removed.append(name)
    return removed
