"""The front-end's import table resolves names as libcst's QualifiedNameProvider does.

The front-end keeps its own table (it must also resolve names inside strings and across the
modules of a package, which the provider does not see); this test holds the two to agreement on
every imported name in the corpus and the blog example.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, QualifiedNameProvider, QualifiedNameSource

from fastbackend.frontends.sqlalchemy import values as v
from fastbackend.frontends.sqlalchemy.collect import collect_module
from fastbackend.frontends.sqlalchemy.evaluate import Evaluator
from tests.frontends.sqlalchemy.differential import CORPUS

ROOT = Path(__file__).resolve().parents[3]
# our corpus (real/ holds third-party code, with function-local imports these checks do not model)
FILES = sorted([*(p for p in CORPUS.rglob("*.py") if "real" not in p.relative_to(CORPUS).parts),
                ROOT / "examples" / "blog" / "models.py"])


class _Imported(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[cst.Name | cst.Attribute, str]] = []

    def _record(self, node: cst.Name | cst.Attribute) -> None:
        names = self.get_metadata(QualifiedNameProvider, node, set())
        imported = [n.name for n in names if n.source is QualifiedNameSource.IMPORT]
        if len(names) == 1 and imported and not imported[0].startswith("."):
            self.found.append((node, imported[0]))

    def visit_Name(self, node: cst.Name) -> None:
        self._record(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        base: cst.BaseExpression = node
        while isinstance(base, cst.Attribute):
            base = base.value
        if isinstance(base, cst.Name):  # a dotted name, not JSON().with_variant
            self._record(node)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_imported_names_resolve_like_qualified_name_provider(path: Path) -> None:
    text = path.read_text("utf-8")
    module = cst.parse_module(text)
    facts = collect_module(module, path.stem, path, path.name, text, False)
    visitor = _Imported()
    MetadataWrapper(module).visit(visitor)
    evaluator = Evaluator(facts.scope, None)
    checked = 0
    for node, expected in visitor.found:
        value = evaluator.value(node)
        if isinstance(value, v.Ref):
            assert value.qname == expected, cst.Module([]).code_for_node(node)
            checked += 1
    assert checked == len(visitor.found)  # every imported name the provider knows, we know
