"""Which fields an aggregate request may group on and aggregate (IR 1.4): decided by the compiler
from the indexes and fastbackend.yaml's `models.X.aggregate`, recorded as each field's roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastbackend.config import ConfigError
from fastbackend_contract import tables
from fastbackend_ir import IR
from fastbackend_ir.contract import roles
from tests.compiler.test_config import _compile


def _roles(ir: IR, entity: str, field: str) -> tuple[bool, tuple[str, ...]]:
    found = roles(next(f for f in ir.entity(entity).fields if f.name == field))
    return found.groupable, found.aggregates


def test_indexed_fields_are_groupable_by_default(tmp_path: Path) -> None:
    ir = _compile(tmp_path, "schema: models.py\n")
    numeric = tables.AGGREGATES_BY_TYPE["integer"]
    assert _roles(ir, "Post", "id") == (True, numeric)  # the key
    assert _roles(ir, "Post", "status") == (True, ("count", "count_distinct"))  # index=True, enum
    assert _roles(ir, "User", "email")[0]  # unique
    assert _roles(ir, "Post", "title") == (False, ())  # no index
    assert _roles(ir, "Post", "author_id")[0]  # leads the unique (author_id, title)
    assert _roles(ir, "Comment", "post_id") == (False, ())  # a foreign key without an index
    routes = {route.action: route for route in ir.entity("Post").routes or ()}
    assert routes["aggregate"].path == "/posts/aggregate"
    assert routes["aggregate"].method == "GET"


def test_declared_fields_are_groupable_and_sums_need_numbers(tmp_path: Path) -> None:
    ir = _compile(tmp_path, "models:\n  Comment:\n    aggregate: [body, post_id]\n")
    assert _roles(ir, "Comment", "body") == (True, tables.AGGREGATES_BY_TYPE["string"])
    assert "sum" not in _roles(ir, "Comment", "body")[1]
    assert _roles(ir, "Comment", "post_id") == (True, tables.AGGREGATES_BY_TYPE["integer"])
    assert "sum" in tables.AGGREGATES_BY_TYPE["integer"]
    body = next(f for f in ir.entity("Comment").fields if f.name == "body")
    assert body.api.aggregate


@pytest.mark.parametrize(("config", "position", "code", "message"), [
    ("models:\n  Post:\n    aggregate: [titel]\n", "3:17", "FB406", "'titel' is not a field"),
    ("models:\n  Post:\n    aggregate: title\n", "3:16", "FB402", "list of field names"),
    ("models:\n  '*': {aggregate: [id]}\n", "2:9", "FB402", "every other model"),
])
def test_mistakes_are_reported_at_their_position(tmp_path: Path, config: str,
                                                 position: str, code: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _compile(tmp_path, config)
    text = str(raised.value)
    assert text.startswith(f"fastbackend.yaml:{position}: error {code}"), text
    assert message in text, text
