"""Every compile target renders every IR the compiler can write: no traceback, ever."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

from fastbackend.pipeline import compile_path
from fastbackend_ir import IR
from fastbackend_ir.target import Target
from fastbackend_openapi import emit

UNSUPPORTED_KEY = Path(__file__).parent / "unsupported_key" / "models.py"
TARGETS = sorted(entry_points(group="fastbackend.targets"), key=lambda point: point.name)


def _unsupported_key_ir() -> IR:
    ir = compile_path(UNSUPPORTED_KEY)[1].ir
    assert ir.entity("Place").field("point").type == "unsupported"
    assert ir.entity("Place").api.key == ("point",)
    return ir


@pytest.mark.parametrize("point", TARGETS, ids=[point.name for point in TARGETS])
def test_a_key_of_an_unsupported_type_renders_in_every_target(point: object) -> None:
    target: Target = point.load()  # type: ignore[attr-defined]
    outputs = target.render(_unsupported_key_ir())
    assert outputs and all(isinstance(text, str) and text for text in outputs.values())


def test_the_openapi_document_types_such_a_key_as_its_url_text() -> None:
    document = emit(_unsupported_key_ir())
    key = document["components"]["parameters"]["Places.key"]
    assert key["schema"] == {"type": "string"}
    assert "point" not in document["components"]["schemas"]["PlaceRead"]["properties"]
