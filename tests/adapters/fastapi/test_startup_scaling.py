"""Runtime start-up grows linearly with the number of entities (issue 27, item 7).

Start-up was quadratic: each entity's cursor secret re-serialised and re-validated the whole IR,
and each entity and relation recomputed every entity's row scopes. Time is no test on a shared
machine, so this counts work instead: the Python and C function calls `create_app` makes, which
are the same on every run. Four times the entities must cost about four times the calls (the old
start-up made 14 times as many). The time itself is in `make bench` (bench_startup.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType
from typing import Any

from fastbackend.frontends.prisma import compile_texts
from fastbackend_fastapi import create_app
from tests.adapters.fastapi.many_entities import schema

SMALL, LARGE = 10, 40
LINEAR = LARGE / SMALL
SLACK = 1.25  # fixed costs make the ratio a little under LINEAR; quadratic work is far above


def startup_calls(count: int, folder: Path) -> int:
    ir = compile_texts({"schema.prisma": schema(count)}).ir
    calls = 0

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal calls
        calls += 1

    folder.mkdir()
    sys.setprofile(hook)
    try:
        create_app(ir, f"sqlite:///{folder / 'app.db'}", custom_path=None, project_path=folder)
    finally:
        sys.setprofile(None)
    return calls


def test_startup_work_is_linear_in_entities(tmp_path: Path) -> None:
    startup_calls(2, tmp_path / "warm-up")  # imports and first-use caches are not per entity
    small = startup_calls(SMALL, tmp_path / "small")
    large = startup_calls(LARGE, tmp_path / "large")
    print(f"start-up calls: {SMALL} entities {small}, {LARGE} entities {large}")
    assert large / small < LINEAR * SLACK, (small, large)
