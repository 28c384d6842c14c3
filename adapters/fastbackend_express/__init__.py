"""The Express emitter: IR -> a TypeScript project (Express 5, zod 4, Prisma Client 7).

It reads only the IR (``fastbackend_ir``); ``render_project`` returns every file as a map of
relative path -> text, and never a path under ``src/custom/``.
"""

from fastbackend_express.project import CUSTOM_DIR, render_project
from fastbackend_express.target import TARGET

__all__ = ["CUSTOM_DIR", "TARGET", "render_project"]
