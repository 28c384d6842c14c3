"""CI check: every test IR's project passes `prisma generate` and `tsc --noEmit` (strict)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.express.harness import IR_PATHS, emit_project, run

pytestmark = [pytest.mark.node, pytest.mark.slow]


@pytest.mark.parametrize("name", sorted(IR_PATHS))
def test_the_emitted_project_generates_and_typechecks(name: str, express_node_modules: Path,
                                                      tmp_path: Path) -> None:
    project = emit_project(name, tmp_path / name, express_node_modules)
    assert (project / "src" / "generated" / "prisma" / "client.ts").is_file()
    result = run([str(express_node_modules / ".bin" / "tsc"), "--noEmit", "-p", "."], project)
    assert result.stdout == ""  # tsc prints nothing when the project has no error
