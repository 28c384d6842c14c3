"""docs/diff.md holds the rule catalogue as the code has it."""

from __future__ import annotations

import re
from pathlib import Path

from fastbackend.diff.catalogue import render_catalogue

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "diff.md"


def test_the_catalogue_in_docs_is_current() -> None:
    found = re.search(r"<!-- rules:begin -->\n(.*)<!-- rules:end -->", DOC.read_text("utf-8"),
                      re.DOTALL)
    assert found is not None, "docs/diff.md lost its rules:begin/end markers"
    assert found.group(1) == render_catalogue("markdown"), (
        "docs/diff.md is stale: paste the output of "
        "`fastbackend diff --rules --format markdown` between the markers")
