"""What the image `docker:build` describes, done without Docker: its install step in a plain
virtualenv (offline, from the build folder's wheels/) and its CMD as a local command."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import venv
from pathlib import Path

INSTALL_TIMEOUT_S = 600
IMAGE_WHEELS = "/tmp/wheels"


def dockerfile_steps(context: Path) -> tuple[list[str], list[str]]:
    """The shell commands of the Dockerfile's RUN steps (continuations joined), and its CMD."""
    text = (context / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    runs = [line.removeprefix("RUN ").strip() for line in text.splitlines() if line.startswith("RUN ")]
    (cmd,) = [line.removeprefix("CMD ") for line in text.splitlines() if line.startswith("CMD ")]
    return runs, json.loads(cmd)


def install_like_the_image(context: Path, environment: Path) -> str:
    """A fresh venv at ``environment`` with the Dockerfile's pip commands run in it, the
    context's wheels/ standing for the image's /tmp/wheels/, and no index allowed. Returns the
    install step as the Dockerfile writes it."""
    runs, _ = dockerfile_steps(context)
    (install,) = [run for run in runs if "pip install" in run]
    venv.create(environment, with_pip=True)
    wheels = str(context / "wheels")
    for step in (part.strip() for part in install.split("&&") if "pip install" in part):
        words = [word.replace(IMAGE_WHEELS, wheels, 1) if word.startswith(IMAGE_WHEELS) else word
                 for word in shlex.split(step)]
        done = subprocess.run([str(environment / "bin" / "python"), "-m", *words],
                              capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S,
                              check=False, env={**os.environ, "PIP_NO_INDEX": "1",
                                                "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
        assert done.returncode == 0, f"{step}\n{done.stdout}\n{done.stderr}"
    return install


def image_command(context: Path, environment: Path, port: int) -> list[str]:
    """The Dockerfile's CMD with the venv's python, on 127.0.0.1:``port``."""
    _, cmd = dockerfile_steps(context)
    command = [str(environment / "bin" / "python") if cmd[0] == "python" else cmd[0], *cmd[1:]]
    command[command.index("--port") + 1] = str(port)
    command[command.index("--host") + 1] = "127.0.0.1"
    return command


def imports(environment: Path, module: str) -> bool:
    done = subprocess.run([str(environment / "bin" / "python"), "-c", f"import {module}"],
                          capture_output=True, timeout=60, check=False)
    return done.returncode == 0
