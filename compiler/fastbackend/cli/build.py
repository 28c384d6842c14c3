"""fastbackend build: a production folder that plain `uvicorn main:app` serves.

It holds the IR, the OpenAPI contract, an ASGI entry module from the runtime, fastbackend.yaml,
the app/ package and a requirements.txt of what serving needs: no compiler, libcst or lark.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from fastbackend.cli.check import display
from fastbackend.cli.exit_codes import handle_errors
from fastbackend.cli.options import json_option, source_and_quiet
from fastbackend.cli.project import Compiled, Printer, compile_ir, runtime
from fastbackend.runtimes import Runtime
from fastbackend.sources import CONFIG_FILE
from fastbackend.targets import IR_TARGET, available, render
from fastbackend_ir import write_if_changed

DEFAULT_OUT = "build"
EPILOG = """\b
Examples:
  fastbackend build                   # -> build/ beside the project
  fastbackend build --out dist/api
  cd build && uvicorn main:app --host 0.0.0.0 --port 8000
  pip install --no-deps fastbackend && pip install -r build/requirements.txt
Exit codes: 0 ok, 2 usage error, 3 the models do not compile.
"""


@click.command("build", epilog=EPILOG,
               short_help="Compile for production: a folder plain uvicorn serves.")
@source_and_quiet
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help=f"Output folder. Default: {DEFAULT_OUT}/ beside the project.")
@json_option
@handle_errors
def build_command(source: Path | None, quiet: bool, out: Path | None, as_json: bool) -> None:
    """Compile SOURCE for production into a folder with ir.json, openapi.yaml, main.py (the
    ASGI entry point: `uvicorn main:app`), fastbackend.yaml, the app/ package (custom routers
    and the code they import) and requirements.txt (the runtime's dependencies only). Only
    files whose content changed are written.
    """
    started = time.perf_counter()
    printer = Printer(quiet, as_json)
    compiled = compile_ir(source, quiet or as_json)
    out_dir = out or compiled.root / DEFAULT_OUT
    files = build_files(compiled, runtime())
    written = [name for name, text in sorted(files.items())
               if write_if_changed(out_dir / name, text)]
    removed = _remove_stale_code(out_dir, files)
    elapsed_ms = (time.perf_counter() - started) * 1000
    printer.done(f"built {display(out_dir)}/ in {elapsed_ms:.0f} ms: {len(files)} files, "
                 f"{len(written)} written; serve it with: cd {display(out_dir)} && uvicorn main:app")
    printer.result({"out": str(out_dir), "files": sorted(files), "written": written,
                    "removed": removed})


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
