"""Structured logs: one JSON object per line with the request id, and the access log.

`operations.logs.format: json` puts a JSON formatter on the runtime's logger
(``fastbackend_fastapi``, whose children include the access log). Every record logged while a
request is served carries its id, so a problem a client reports (its body's `request_id`) leads
to the lines of that request.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from fastbackend_fastapi.operations import requestid

RUNTIME_LOGGER = "fastbackend_fastapi"
access_logger = logging.getLogger(f"{RUNTIME_LOGGER}.access")
FIELDS = "fields"  # extra={"fields": {...}}: structured values of one record


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...fields, "exception"}``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or requestid.current()
        if request_id is not None:
            line["request_id"] = request_id
        line.update(getattr(record, FIELDS, None) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours, so configuring twice (a second app in one process) replaces rather than adds."""


def configure(log_format: str, level: str, access: bool = False) -> None:
    logger = logging.getLogger(RUNTIME_LOGGER)
    if level:
        logger.setLevel(level.upper())
    # an access log asked for is written, whatever the level the server left the rest at
    access_logger.setLevel(logging.INFO if access else logging.NOTSET)
    for handler in [h for h in logger.handlers if isinstance(h, _Handler)]:
        logger.removeHandler(handler)  # a previous app's, in this process
        logger.propagate = True
    if log_format == "json":
        handler = _Handler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False  # one line per record, not a second plain one from the root


def access(method: str, path: str, route: str | None, status: int, seconds: float) -> None:
    access_logger.info("%s %s %d %.1f ms %s", method, path, status, seconds * 1000,
                       requestid.current(), extra={FIELDS: {
        "method": method, "path": path, "route": route, "status": status,
        "duration_ms": round(seconds * 1000, 3)}})
