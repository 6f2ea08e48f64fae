"""Structured logging: one JSON object per line on stderr.

Named logs.py, not logging.py, so that it can never shadow the standard library module.
journald keeps each line as one entry, and log shippers can parse fields without regexes.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any, TextIO

# Attributes every LogRecord has; anything else on a record came from `extra=`.
# uvicorn adds "color_message" (the same text with ANSI escapes), useless in JSON.
_RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """Format a record as a single-line JSON object.

    ``event`` is the log message (for Atlas's own logs a short snake_case name); fields
    passed with ``extra={...}`` become top-level keys.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as JSON with ts, level, logger, event and any extra fields."""
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                payload[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            payload["exc_type"] = record.exc_info[0].__name__
            payload["exc"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        # default=str: a stray non-JSON value (a Path, an exception) must not lose the line.
        return json.dumps(payload, default=str, ensure_ascii=False)


def configure_logging(level: str = "info", stream: TextIO | None = None) -> None:
    """Send every logger, uvicorn's included, through one JSON handler on stderr."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        # uvicorn may have attached its own plain-text handlers; route through root.
        uv_logger = logging.getLogger(name)
        uv_logger.handlers.clear()
        uv_logger.propagate = True
