"""fastbackend docker:build: a production Dockerfile and .dockerignore, then `docker build`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from string import Template

import click

from fastbackend.__about__ import __version__
from fastbackend.cli.check import display
from fastbackend.cli.exit_codes import ExitCode, handle_errors
from fastbackend.cli.options import source_and_quiet
from fastbackend.cli.project import Printer
from fastbackend.sources import resolve
from fastbackend_ir import write_if_changed

ENGINE_TIMEOUT_S = 10  # `docker info` against an engine that does not answer
EPILOG = """\b
Examples:
  fastbackend docker:build                       # image tagged with the project folder's name
  fastbackend docker:build --tag registry.example.com/blog:1.2
  fastbackend docker:build --no-build            # only write Dockerfile and .dockerignore
  docker run -p 8000:8000 -e DATABASE_URL=postgresql://... blog
Exit codes: 0 image built (or files written with --no-build), 1 no Docker engine answered or
`docker build` failed, 2 usage error, 3 the models do not compile.
"""


@click.command("docker:build", epilog=EPILOG,
               short_help="Write a production Dockerfile, then docker build.")
@source_and_quiet
@click.option("--tag", "-t", default=None, help="Image tag. Default: the project folder's name.")
@click.option("--no-build", is_flag=True, help="Write Dockerfile and .dockerignore; do not build.")
@handle_errors
def docker_command(source: Path | None, quiet: bool, tag: str | None, no_build: bool) -> None:
    """Write a production Dockerfile (python slim image, non-root user, the `fastbackend
    build` output served by uvicorn) and a .dockerignore beside the project, then run
    `docker build` when a Docker engine answers. Existing files are overwritten only when
    their content differs.
    """
    printer = Printer(quiet)
    root = resolve(source).root
    for name, text in docker_files(root.resolve().name).items():
        if write_if_changed(root / name, text):
            printer.done(f"wrote {display(root / name)}")
    if no_build:
        printer.done("the Dockerfile is ready (--no-build: no image built)")
        return
    image = tag or _default_tag(root)
    problem = engine_problem()
    if problem is not None:
        click.echo(f"the Dockerfile is ready, but no Docker engine was found ({problem}); "
                   f"build it where one runs: docker build -t {image} {display(root)}", err=True)
        sys.exit(ExitCode.FINDINGS)
    printer.step(f"docker build -t {image} {display(root)}")
    done = subprocess.run(["docker", "build", "-t", image, str(root)], check=False)
    if done.returncode != 0:
        click.echo(f"error: docker build failed (exit {done.returncode})", err=True)
        sys.exit(ExitCode.FINDINGS)
    printer.done(f"built image {image}")


def docker_files(project: str) -> dict[str, str]:
    values = {"project": project, "version": __version__}
    folder = files("fastbackend.templates").joinpath("docker")
    return {target: Template(folder.joinpath(template).read_text("utf-8")).substitute(values)
            for template, target in (("Dockerfile.tmpl", "Dockerfile"),
                                     ("dockerignore.tmpl", ".dockerignore"))}


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
