"""A limit's environment variable, read by the rule both servers follow (the Express server's
src/lib/limits.ts too): counts and bytes are whole numbers of at least 1, seconds numbers above
0; anything else stops the server with the variable's name. No YAML here: settings read from
the environment alone import this, not the fastbackend.yaml reader.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

from fastbackend_contract.tables import Limit

Number = int | float


def from_environment(limit: Limit, environ: Mapping[str, str]) -> Number | None:
    """The limit's environment variable (then its aliases), checked; None when none is set."""
    for name in (limit.env, *limit.aliases):
        raw = environ.get(name, "")
        if raw != "":
            return _number(limit, name, raw)
    return None


def _number(limit: Limit, name: str, raw: str) -> Number:
    """The Express server's rule too (src/lib/limits.ts): whole numbers >= 1, seconds > 0."""
    if limit.unit == "seconds":
        if re.fullmatch(r"\d+(\.\d+)?", raw) and 0 < float(raw) < math.inf:
            return float(raw)
        raise ValueError(f"{name} must be a number of seconds above 0, not {json.dumps(raw)}")
    if re.fullmatch(r"\d+", raw) and int(raw) >= 1:
        return int(raw)
    raise ValueError(f"{name} must be a whole number of at least 1, not {json.dumps(raw)}")
