"""How long and how hard the reliability tests run: short in `make test`, full in `make soak`.

Every reliability test reads its sizes from PROFILE, so the short run exercises exactly the code
paths of the soak run, only for less time. `make soak` sets FASTBACKEND_SOAK=1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    load_seconds: float  # mixed traffic per database
    connections: int  # concurrent client connections during load
    outage_seconds: float  # how long the throwaway PostgreSQL stays stopped
    racers: int  # clients racing on one row (If-Match) or one unique value


SHORT = Profile("short", load_seconds=6.0, connections=64, outage_seconds=5.0, racers=50)
SOAK = Profile("soak", load_seconds=60.0, connections=64, outage_seconds=5.0, racers=50)

PROFILE = SOAK if os.environ.get("FASTBACKEND_SOAK") == "1" else SHORT
