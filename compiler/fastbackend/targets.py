"""Output targets. ``ir`` is built in; the others are adapters found through the
``fastbackend.targets`` entry-point group, so the compiler never imports an adapter by name."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from importlib.metadata import entry_points

from fastbackend.frontends import FrontendResult
from fastbackend_ir import IR, dumps, dumps_source_map
from fastbackend_ir.target import Outputs, Target

ENTRY_POINT_GROUP = "fastbackend.targets"


@dataclass(frozen=True)
class BuiltinTarget:
    name: str
    description: str
    render: Callable[[FrontendResult], Outputs]


def _render_ir(result: FrontendResult) -> Outputs:
    text = result.ir_text if result.ir_text is not None else dumps(result.ir)
    return {"ir.json": text, "ir.map.json": dumps_source_map(result.source_map)}


IR_TARGET = BuiltinTarget("ir", "the IR (.fastbackend/ir.json) and its source map", _render_ir)


def available(names: Collection[str] | None = None) -> dict[str, Target | BuiltinTarget]:
    """The targets that load, by name; only those of ``names`` when given, so a compile does not
    import adapters it does not use (the fastapi target imports FastAPI)."""
    found: dict[str, Target | BuiltinTarget] = {}
    if names is None or "ir" in names:
        found["ir"] = IR_TARGET
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if names is not None and point.name not in names:
            continue
        try:
            target = point.load()
        except ImportError:
            continue  # an adapter that is not implemented yet, or whose extras are missing
        found[point.name] = target
    return found


def render(target: Target | BuiltinTarget, result: FrontendResult) -> Outputs:
    if isinstance(target, BuiltinTarget):
        return target.render(result)
    ir: IR = result.ir
    if target.render_with_sources is not None and result.source_texts:
        return target.render_with_sources(ir, result.source_texts)
    return target.render(ir)
