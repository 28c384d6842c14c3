"""The one error of the query language: a 400 problem that names the parameter."""

from __future__ import annotations

from fastbackend_fastapi.problems import Problem


def bad_parameter(name: str, message: str) -> Problem:
    return Problem(400, "invalid-parameter", f"query parameter {name!r}: {message}")
