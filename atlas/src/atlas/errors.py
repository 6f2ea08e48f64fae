"""The one JSON error shape every failure uses, and the error raised for oversized bodies."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class PayloadTooLargeError(Exception):
    """The request body grew past the configured limit while being read."""


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build the one error shape every failure uses."""
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return JSONResponse(body, status_code=status, headers=headers)
