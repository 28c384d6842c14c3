"""The IRs every Express emitter test runs on: the golden ones and small cases of our own."""

from __future__ import annotations

from pathlib import Path

from fastbackend_ir import IR, load
from tests.conftest import GOLDEN

HERE = Path(__file__).resolve().parent
IR_PATHS: dict[str, Path] = {
    "blog": GOLDEN / "blog.ir.json",
    "kitchen": GOLDEN / "kitchen.ir.json",
    **{path.name.removesuffix(".ir.json"): path for path in sorted((HERE / "irs").glob("*.ir.json"))},
}


def load_ir(name: str) -> IR:
    return load(IR_PATHS[name])
