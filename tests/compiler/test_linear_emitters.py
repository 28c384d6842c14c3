"""The emitters' work grows linearly with the models (issue #19), counted, never timed.

Counted: the characters the Express emitter scans for names (a quadratic one searched every
router once per other model), how often it recomputes what is per IR, and how many list
parameters the OpenAPI emitter builds, at 20 and 40 generated models. Doubling the models may
double each count (plus a little: the first and last model differ), not quadruple it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_sqlalchemy_frontend import generated_models
from fastbackend.pipeline import compile_path
from fastbackend_express import backrefs, project
from fastbackend_express.target import TARGET
from fastbackend_ir import IR
from fastbackend_openapi import emit, listing

SMALL, LARGE = 20, 40
LINEAR = 2.3  # the count at LARGE over the count at SMALL: 2.0 is exactly linear


def _ir(tmp_path: Path, count: int) -> IR:
    path = tmp_path / str(count) / "models.py"
    path.parent.mkdir()
    path.write_text(generated_models(count), "utf-8")
    return compile_path(path)[1].ir


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str,
              weight: Callable[..., int] = lambda *args: 1) -> list[int]:
    counts: list[int] = []
    real = getattr(module, name)

    def counted(*args: Any) -> Any:
        counts.append(weight(*args))
        return real(*args)

    monkeypatch.setattr(module, name, counted)
    return counts


def _growth(tmp_path: Path, run: Callable[[IR], list[int]]) -> float:
    small, large = (sum(run(_ir(tmp_path, count))) for count in (SMALL, LARGE))
    assert small > 0
    return large / small


def test_express_scans_each_router_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def run(ir: IR) -> list[int]:
        scanned = _counting(monkeypatch, project, "_identifiers", lambda body: len(body))
        searched = _counting(monkeypatch, project, "_used", lambda body, name: len(body))
        TARGET.render(ir)
        monkeypatch.undo()
        return scanned + searched

    assert _growth(tmp_path, run) <= LINEAR


def test_express_computes_missing_ends_once_per_ir(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def run(ir: IR) -> list[int]:
        calls = _counting(monkeypatch, backrefs.missing_ends, "compute")  # @once_per_ir's
        TARGET.render(ir)
        monkeypatch.undo()
        assert calls == [1]
        return calls

    _growth(tmp_path, run)


def test_openapi_builds_each_entitys_list_parameters_a_bounded_number_of_times(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def run(ir: IR) -> list[int]:
        calls = _counting(monkeypatch, listing, "entity_parameters")
        emit(ir)
        monkeypatch.undo()
        assert len(calls) <= 3 * len(ir.entities)  # components, query body, refs' names
        return calls

    assert _growth(tmp_path, run) <= LINEAR
