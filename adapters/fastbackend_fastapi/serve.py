"""`python -m fastbackend_fastapi.serve [uvicorn options] APP`: uvicorn, with a clean exit status.

uvicorn drains in-flight requests on SIGTERM and then, since 0.29, raises the signal again
under the handler that was there before it started, so a graceful stop ends as "terminated by
SIGTERM" (status 143). Process managers and scripts that read any non-zero status as a crash
(docker's on-failure restarts and exit-code alerts, CI steps, `set -e` wrappers) would report
every deploy as a failure. Installing a handler that exits 0 before uvicorn starts makes that
re-raised signal, or one arriving before the server listens, end the process with status 0. The
server is `graceful.GracefulServer`: its shutdown answers the requests already waiting in idle
keep-alive connections instead of resetting them. All options are uvicorn's own (`--help`).
"""

from __future__ import annotations

import signal
import sys
from types import FrameType


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _exit_cleanly)
    import uvicorn  # after the handler: a SIGTERM while the app loads exits 0 too

    from fastbackend_fastapi import graceful

    graceful.install()
    uvicorn.main.main(args=sys.argv[1:] if argv is None else argv,
                      prog_name="python -m fastbackend_fastapi.serve")


if __name__ == "__main__":
    main()
