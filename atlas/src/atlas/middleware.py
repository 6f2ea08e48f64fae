"""ASGI middleware: the request body limit and observability (access log, metrics, request id)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlas.errors import PayloadTooLargeError, error_response
from atlas.metrics import UNMATCHED_ROUTE, Metrics

access_log = logging.getLogger("atlas.access")
# Unhandled errors belong to the application log, not the access log.
log = logging.getLogger("atlas.app")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class BodyLimitMiddleware:
    """Answer 413 for request bodies over ``max_bytes``.

    Content-Length is checked up front, but it can be absent (chunked encoding) or
    lie, so the bytes actually received are counted as well and the read is aborted as
    soon as they pass the limit; the body is never buffered beyond it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        """Wrap ``app``."""
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reject or pass the request through with a counting ``receive``."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await error_response(400, "bad_request", "invalid Content-Length header")(
                    scope, receive, send
                )
                return
            if int(declared) > self.max_bytes:
                await self._reject(scope, receive, send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLargeError
            return message

        await self.app(scope, counting_receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        await error_response(
            413, "payload_too_large", f"request body exceeds {self.max_bytes} bytes"
        )(scope, receive, send)


class ObservabilityMiddleware:
    """Time every request, count it in metrics, log it as JSON and tag it with an id."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: list[BaseRoute]) -> None:
        """Wrap ``app``; ``routes`` resolve the route template used as a metric label."""
        self.app = app
        self.metrics = metrics
        self.routes = routes

    def _route_template(self, scope: Scope) -> str:
        partial: str | None = None
        for route in self.routes:
            match, _ = route.matches(scope)
            if not isinstance(route, Route):
                continue
            if match is Match.FULL:
                return route.path
            if match is Match.PARTIAL and partial is None:
                partial = route.path  # right path, wrong method: answered 405 by this route
        return partial if partial is not None else UNMATCHED_ROUTE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request and record how it went, whatever happens."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        method = str(scope["method"])
        route = self._route_template(scope)
        incoming_id = _header(scope, b"x-request-id")
        request_id = (
            incoming_id if incoming_id and _REQUEST_ID_RE.match(incoming_id) else uuid.uuid4().hex
        )
        status = 500
        response_started = False

        async def tagging_send(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("ascii")))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        in_progress = self.metrics.in_progress.labels(method=method, route=route)
        in_progress.inc()
        try:
            await self.app(scope, receive, tagging_send)
        except Exception:
            # ServerErrorMiddleware has already sent a 500 and re-raised; log once here
            # and stop, rather than also letting uvicorn print a second traceback.
            log.exception("unhandled_exception", extra={"request_id": request_id})
            if not response_started:
                raise
        finally:
            in_progress.dec()
            elapsed = time.perf_counter() - start
            self.metrics.observe_request(method, route, status, elapsed)
            access_log.info(
                "request",
                extra={
                    "method": method,
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                    "request_id": request_id,
                },
            )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1").strip()
    return None
