"""fastbackend docker:build: the production build folder with wheels and a Dockerfile, then
`docker build` on it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from string import Template

import click

from fastbackend.cli.build import DEFAULT_OUT, Built, report_wheels, write_build
from fastbackend.cli.check import display
from fastbackend.cli.exit_codes import ExitCode, handle_errors
from fastbackend.cli.options import source_and_quiet
from fastbackend.cli.project import Printer, compile_ir
from fastbackend_ir import write_if_changed

ENGINE_TIMEOUT_S = 10  # `docker info` against an engine that does not answer
IMAGE_WHEELS = "/tmp/wheels"
EPILOG = """\b
Examples:
  fastbackend docker:build                       # image tagged with the project folder's name
  fastbackend docker:build --tag registry.example.com/blog:1.2
  fastbackend docker:build --no-build            # only write build/ (Dockerfile, wheels/)
  docker run -p 8000:8000 -e DATABASE_URL=postgresql://... blog
Exit codes: 0 image built (or files written with --no-build), 1 no Docker engine answered or
`docker build` failed, 2 usage error, 3 the models do not compile.
"""


@click.command("docker:build", epilog=EPILOG,
               short_help="Build for production with a Dockerfile, then docker build.")
@source_and_quiet
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help=f"The build folder, the image's context. Default: {DEFAULT_OUT}/ beside "
                   "the project.")
@click.option("--tag", "-t", default=None, help="Image tag. Default: the project folder's name.")
@click.option("--no-build", is_flag=True, help="Write the build folder; do not build an image.")
@handle_errors
def docker_command(source: Path | None, quiet: bool, out: Path | None, tag: str | None,
                   no_build: bool) -> None:
    """Build SOURCE for production as `fastbackend build --wheels` does, into build/ with
    wheels/ (fastbackend and the runtime's requirements as this environment has them
    installed), add a Dockerfile (python slim image of this Python version, non-root user,
    served by `python -m fastbackend_fastapi.serve`) and a .dockerignore there, then run
    `docker build` on that folder when a Docker engine answers. Files are rewritten only
    when their content differs.
    """
    printer = Printer(quiet)
    compiled = compile_ir(source, quiet)
    built = write_build(compiled, out or compiled.root / DEFAULT_OUT, with_wheels=True)
    report_wheels(printer, built)
    context = built.out_dir
    for name, text in docker_files(compiled.root.resolve().name, built).items():
        if write_if_changed(context / name, text):
            printer.done(f"wrote {display(context / name)}")
    if no_build:
        printer.done("the Dockerfile is ready (--no-build: no image built)")
        return
    image = tag or _default_tag(compiled.root)
    problem = engine_problem()
    if problem is not None:
        click.echo(f"the Dockerfile is ready, but no Docker engine was found ({problem}); "
                   f"build it where one runs: docker build -t {image} {display(context)}",
                   err=True)
        sys.exit(ExitCode.FINDINGS)
    printer.step(f"docker build -t {image} {display(context)}")
    done = subprocess.run(["docker", "build", "-t", image, str(context)], check=False)
    if done.returncode != 0:
        click.echo(f"error: docker build failed (exit {done.returncode})", err=True)
        sys.exit(ExitCode.FINDINGS)
    printer.done(f"built image {image}")


def docker_files(project: str, built: Built) -> dict[str, str]:
    """The Dockerfile and .dockerignore of the build folder ``built``."""
    from fastbackend.cli.wheels import install_commands

    assert built.wheels is not None
    values = {
        "project": project,
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "install": " \\\n    && ".join(install_commands(built.wheels, IMAGE_WHEELS)),
        "copy": _copy_lines(built.files),
        "index_note": "" if built.wheels.offline else (
            "; what this environment lacks comes from the package index"),
    }
    folder = files("fastbackend.templates").joinpath("docker")
    return {target: Template(folder.joinpath(template).read_text("utf-8")).substitute(values)
            for template, target in (("Dockerfile.tmpl", "Dockerfile"),
                                     ("dockerignore.tmpl", ".dockerignore"))}


def _copy_lines(built_files: dict[str, str]) -> str:
    """COPY of the build's own files (wheels/ stays out of /app)."""
    top = sorted({name.split("/", 1)[0] for name in built_files})
    names = [name for name in top if "." in name]
    lines = [f"COPY --chown=app:app {json.dumps([*names, '/app/'])}"]
    lines += [f"COPY --chown=app:app {folder}/ /app/{folder}/" for folder in top
              if folder not in names]
    return "\n".join(lines)


def engine_problem() -> str | None:
    """None when a Docker engine answers; otherwise why not, in a few words."""
    client = shutil.which("docker")
    if client is None:
        return "the docker command is not installed"
    try:
        done = subprocess.run([client, "info", "--format", "{{.ServerVersion}}"],
                              capture_output=True, text=True, timeout=ENGINE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return f"the engine did not answer within {ENGINE_TIMEOUT_S} s"
    if done.returncode != 0 or not done.stdout.strip():
        detail = (done.stderr.strip().splitlines() or ["docker info failed"])[-1]
        return f"docker info: {detail}"
    return None


def _default_tag(root: Path) -> str:
    name = "".join(c if c.isalnum() or c in "._-" else "-" for c in root.resolve().name.lower())
    return name.strip("._-") or "fastbackend-app"
