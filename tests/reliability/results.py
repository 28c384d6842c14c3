"""Where the reliability tests leave their figures: tests/reliability/.results/NAME.json
(git-ignored) and pytest's JUnit properties, so they exist whether or not output is shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / ".results"


def publish(name: str, figures: dict[str, Any],
            record_property: Callable[[str, object], None]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    for key, value in figures.items():
        if not isinstance(value, list):  # timelines stay in the file
            record_property(key, json.dumps(value))
    return path
