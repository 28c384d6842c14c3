"""The ``express`` target: ``fastbackend compile --target express --out DIR``."""

from __future__ import annotations

from fastbackend_express.project import render_project
from fastbackend_ir.target import Target

TARGET = Target(
    name="express",
    description="a TypeScript Express server on Prisma Client 7 serving the REST contract",
    render=render_project,
    render_with_sources=render_project,  # a Prisma source's schema.prisma is copied
)
