"""The server process of `fastbackend dev --reload`: `python -m fastbackend.cli.dev_server
SUPERVISOR_PID [uvicorn options]`.

The server must not outlive its supervisor (an orphan would keep serving an old app on the
port). Linux can deliver SIGTERM when the parent dies (PR_SET_PDEATHSIG), but the process must
ask for it itself: asking from a `preexec_fn` runs Python between fork and exec while the
supervisor's watcher threads hold locks, which CPython warns against and which printed
"cannot release un-acquired lock" at start. So the child asks first thing, then checks that
the supervisor did not die before it asked, then runs uvicorn.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main(argv: list[str]) -> None:
    supervisor, options = int(argv[0]), argv[1:]
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != supervisor:  # it died before the request above took effect
        raise SystemExit(0)
    import uvicorn  # after the request: a supervisor dying while this loads still stops us

    uvicorn.main.main(args=options, prog_name="fastbackend dev (server)")


if __name__ == "__main__":
    main(sys.argv[1:])
