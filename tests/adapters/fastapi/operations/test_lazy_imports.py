"""An operations feature that is off costs nothing: its library is not even imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.adapters.fastapi.conftest import BLOG

PROGRAM = """
import sys
from starlette.testclient import TestClient
from fastbackend_fastapi import create_app
app = create_app({ir!r}, database_url={url!r}, custom_path=None, project_path={folder!r})
with TestClient(app) as client:
    assert client.get("/posts").status_code == 200
    assert client.get("/readyz").status_code == 200
# (FastAPI itself imports the opentelemetry API: not ours to count)
heavy = ("opentelemetry.sdk", "opentelemetry.instrumentation", "opentelemetry.exporter",
         "prometheus_client", "redis")
print(sorted(name for name in sys.modules if name.startswith(heavy)))
"""


def test_nothing_of_the_ops_extra_is_imported_when_off(tmp_path: Path) -> None:
    program = PROGRAM.format(ir=str(BLOG), url=f"sqlite+pysqlite:///{tmp_path / 'a.db'}",
                             folder=str(tmp_path))
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", program], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
