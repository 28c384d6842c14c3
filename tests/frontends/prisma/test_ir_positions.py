"""An IR that fails validation (FB006, a compiler bug) is reported at the element's source line,
in the file that declared it, never at 1:1 of the entry file (issue #18)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.frontends import FrontendResult
from fastbackend.frontends import prisma as prisma_frontend
from fastbackend.pipeline import compile_path
from fastbackend.sources import SourceSet

A = 'datasource db {\n  provider = "postgresql"\n}\n\nmodel Org {\n  id   Int      @id\n  keys ApiKey[]\n}\n'
B = ("model ApiKey {\n  id    Int @id\n  orgId Int\n  org   Org @relation(fields: [orgId], "
     "references: [id])\n\n  @@index([orgId])\n}\n")


def _without_index_fields(result: FrontendResult) -> FrontendResult:
    """The IR a broken lowering would give: ApiKey's index with no fields."""
    entity = result.ir.entity("ApiKey")
    index = replace(entity.indexes[0], fields=())
    entities = {**result.ir.entities, "ApiKey": replace(entity, indexes=(index,))}
    return replace(result, ir=replace(result.ir, entities=entities))


def test_an_invalid_ir_is_reported_at_the_attribute_in_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "prisma"
    folder.mkdir()
    (folder / "a.prisma").write_text(A, "utf-8")
    (folder / "b.prisma").write_text(B, "utf-8")
    real = prisma_frontend.compile_sources

    def broken(sources: SourceSet) -> FrontendResult:
        return _without_index_fields(real(sources))

    monkeypatch.setattr(prisma_frontend, "compile_sources", broken)
    with pytest.raises(CompileError) as raised:
        compile_path(folder)
    [diagnostic] = raised.value.errors
    assert (diagnostic.code, diagnostic.file, diagnostic.line, diagnostic.column) == (
        "FB006", "b.prisma", 6, 3)
    assert "/entities/ApiKey/indexes/0/fields" in diagnostic.message
    assert diagnostic.source_line == "  @@index([orgId])"
