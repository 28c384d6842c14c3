"""Every compile target renders every IR the compiler can write: no traceback, ever."""

from __future__ import annotations

import typing
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from fastbackend.pipeline import compile_path
from fastbackend_contract.scalars import BY_NAME
from fastbackend_express.project import render_project
from fastbackend_fastapi import create_app
from fastbackend_ir import IR
from fastbackend_ir.nodes import LogicalType
from fastbackend_ir.target import Target
from fastbackend_openapi import emit
from tests.adapters.openapi.conftest import TestClient

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


def test_an_entity_whose_key_no_url_can_carry_has_no_routes_and_the_document_says_why() -> None:
    document = emit(_unsupported_key_ir())
    assert not [path for path in document["paths"] if path.startswith("/places")]
    assert "/visits/{key}/place" not in document["paths"]  # no relation route to it either
    assert "Places.key" not in document["components"]["parameters"]
    assert "PlaceRead" not in document["components"]["schemas"]
    assert "place" not in document["components"]["schemas"]["VisitWhere"]["properties"]
    reason = document["x-fastbackend-unrouted"]["Place"]
    assert "`point`" in reason and "unsupported" in reason
    tag = next(tag for tag in document["tags"] if tag["name"] == "Places")
    assert reason in tag["description"]
    assert "/visits" in document["paths"]  # the rest of the API is served


def test_the_runtime_serves_the_same_routes_and_document(tmp_path: Path) -> None:
    ir = _unsupported_key_ir()
    app = create_app(ir, database_url=f"sqlite+pysqlite:///{tmp_path / 'a.db'}",
                     custom_path=None)
    with TestClient(app) as client:
        for path in ("/places", "/places/1", "/visits/1/place"):
            assert client.get(path).status_code == 404, path
        assert client.post("/places", json={"name": "x"}).status_code == 404
        assert client.get("/visits").status_code == 200
        served = client.get("/openapi.json").json()
    assert served["x-fastbackend-unrouted"] == emit(ir)["x-fastbackend-unrouted"]
    assert served["paths"].keys() == emit(ir)["paths"].keys()


def test_the_express_server_has_no_routes_for_it_either() -> None:
    outputs = render_project(_unsupported_key_ir())
    places = next(text for path, text in outputs.items()
                  if path.startswith("src/routes/") and "/places" in text)
    assert "router.get(" not in places and "router.post(" not in places
    visits = next(text for path, text in outputs.items()
                  if path.startswith("src/routes/") and '"/visits"' in text)
    assert '"/visits/:key/place"' not in visits
    assert "model Place" in outputs["prisma/schema.prisma"]  # its table stays


def test_the_routable_rule_names_the_one_type_the_api_cannot_carry() -> None:
    """fastbackend_ir.routable refuses keys of type `unsupported`; the document types every other
    logical type, so the rule and the document cannot disagree about a key."""
    assert set(typing.get_args(LogicalType)) - set(BY_NAME) == {"unsupported"}
