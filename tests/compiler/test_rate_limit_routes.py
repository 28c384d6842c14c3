"""fastbackend.yaml's `operations.rate_limit.routes`, decided once by the compiler: recorded on
the routes the contract decides (IR 1.8 `rateLimit`), where both servers read them; a key that
is no route of the API, or a malformed one, stops the compile at its line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fastbackend.config import ConfigError
from fastbackend.pipeline import compile_path
from fastbackend_ir import IR, RateLimit
from tests.conftest import ROOT

MODELS = ROOT / "examples" / "blog" / "models.py"


def compile_with(folder: Path, yaml: str) -> IR:
    shutil.copy(MODELS, folder / "models.py")
    (folder / "fastbackend.yaml").write_text(yaml, "utf-8")
    return compile_path(folder)[1].ir


def policies(ir: IR) -> dict[str, RateLimit]:
    return {f"{route.method} {route.path}": route.rate_limit for entity in ir.entities.values()
            for route in entity.routes or () if route.rate_limit is not None}


def test_the_routes_record_their_policies(tmp_path: Path) -> None:
    ir = compile_with(tmp_path, 'operations:\n  rate_limit:\n    routes:\n'
                                '      "post /posts": {requests: 10, window_seconds: 60}\n'
                                '      "GET /posts/{key}": {requests: 2, window_seconds: 1.5}\n')
    assert ir.ir_version == "1.9"
    assert policies(ir) == {"POST /posts": RateLimit(10, 60.0),
                            "GET /posts/{key}": RateLimit(2, 1.5)}


def test_no_section_no_policy(tmp_path: Path) -> None:
    assert policies(compile_with(tmp_path, "operations:\n  rate_limit:\n    enabled: true\n")) == {}


@pytest.mark.parametrize(("routes", "code", "where", "message"), [
    ('"POST /post": {requests: 1, window_seconds: 1}', "FB411", "4:7", "is no route of the API"),
    ('"POST /posts/{id}": {requests: 1, window_seconds: 1}', "FB411", "4:7", "is no route"),
    ('"POST /posts": {requests: 1, window_seconds: 1}\n      "post /posts": '
     '{requests: 2, window_seconds: 1}', "FB411", "5:7", "the same route as another key"),
    ("posts: {requests: 1, window_seconds: 1}", "FB402", "4:7", "is not a method and a route"),
    ('"POST /posts": {requests: 1}', "FB402", "4:7", "needs requests"),
    ('"POST /posts": {requests: 0, window_seconds: 1}', "FB402", "4:33", "at least 1"),
    ('"POST /posts": {requests: 1, window_seconds: 1, burst: 2}', "FB401", "4:55", "burst"),
])
def test_mistakes_point_at_the_key(tmp_path: Path, routes: str, code: str, where: str,
                                   message: str) -> None:
    with pytest.raises(ConfigError) as error:
        compile_with(tmp_path, f"operations:\n  rate_limit:\n    routes:\n      {routes}\n")
    text = str(error.value)
    assert f"fastbackend.yaml:{where}: error {code}" in text, text
    assert message in text
