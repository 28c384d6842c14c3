"""The fuzzer's worker process: `fastbackend compile` in-process, one mutant per request.

Reads one JSON request a line on stdin ({"folder", "source", "runtime"}) and answers one JSON
line on stdout. The CLI runs through click's runner on the main thread (the command, its
error handling and its recursion limit are those of the installed `fastbackend`), so a
Python exception shows as a traceback here, and a crash of the interpreter (a segfault in a
native parser) kills this process, which the campaign sees by its exit status.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from fastbackend.cli.main import cli

# The runtime check stays cheap: real projects' IRs of up to this many entities (most) are
# started; the start-up time of large IRs is measured apart (benchmarks/, issue #27 item 7).
RUNTIME_ENTITIES = 40


def compile_mutant(folder: Path, source: str) -> dict[str, Any]:
    os.chdir(folder)  # as a user runs it: from the project's folder, the source relative
    result = CliRunner().invoke(cli, ["compile", source], catch_exceptions=True)
    answer: dict[str, Any] = {"exit": result.exit_code, "stdout": result.stdout,
                              "stderr": result.stderr, "exception": None}
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        answer["exception"] = "".join(traceback.format_exception(result.exception))
    return answer


def start_runtime(folder: Path) -> dict[str, Any]:
    """Build the FastAPI app from the compiled IR on a fresh SQLite file; GET /healthz and the
    list route of the first table entity (every table is created at start-up)."""
    from starlette.testclient import TestClient

    from fastbackend_fastapi.app import create_app
    from fastbackend_ir import load

    (ir_path,) = folder.rglob(".fastbackend/ir.json")
    ir = load(ir_path)
    if len(ir.entities) > RUNTIME_ENTITIES:
        return {"skipped": f"{len(ir.entities)} entities"}
    tables = [e for e in ir.entities.values() if e.kind == "table" and "list" in e.api.operations]
    try:
        app = create_app(ir_path, f"sqlite:///{folder / 'runtime.db'}", custom_path=None)
        with TestClient(app, raise_server_exceptions=False) as client:
            statuses = {"/healthz": client.get("/healthz").status_code}
            if tables:
                statuses[tables[0].api.path] = client.get(tables[0].api.path).status_code
    except Exception as error:
        return {"error": "".join(traceback.format_exception(error))}
    return {"statuses": statuses}


def main() -> None:
    out = sys.stdout
    sys.stdout = sys.stderr  # whatever else prints must not corrupt the answers
    for line in sys.stdin:
        request = json.loads(line)
        folder = Path(request["folder"])
        answer = compile_mutant(folder, request["source"])
        if request["runtime"] and answer["exit"] == 0:
            answer["runtime"] = start_runtime(folder)
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
