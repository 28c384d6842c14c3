"""The catalogue of diagnostic codes. Every code is documented in docs/diagnostics.md (tested).

Ranges: FB0xx general and source discovery, FB1xx SQLAlchemy front-end, FB2xx Prisma front-end,
FB3xx IR passes, FB4xx configuration. Front-ends add their codes here, with a one-line summary.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "FB001": "no schema found: no models.py, schema.prisma or fastbackend.yaml where one was expected",
    "FB002": "the source path does not exist",
    "FB003": "the source is not a kind of schema FastBackend reads",
    "FB004": "the source file cannot be read as UTF-8 text",
    "FB005": "the front-end for this source is not available",
    "FB006": "the compiled IR failed validation (a compiler bug: please report it)",
    "FB007": "two elements map to the same REST path",
}


def summary(code: str) -> str:
    return CODES[code]
