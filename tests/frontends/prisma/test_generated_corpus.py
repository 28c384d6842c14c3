"""The generated 300-model schema in the corpus is up to date with its generator."""

from __future__ import annotations

from tests.frontends.prisma import generate_large


def test_generated_schema_is_current() -> None:
    committed = generate_large.TARGET.read_text("utf-8")
    assert committed == generate_large.render(), (
        "stale: run `python -m tests.frontends.prisma.generate_large`")
