"""HTTP routes: the JSON API, health checks and metrics (middleware in atlas.middleware).

The ASGI stack, outermost first: ObservabilityMiddleware (access log, metrics, request
id) -> Starlette's ServerErrorMiddleware -> BodyLimitMiddleware -> ExceptionMiddleware ->
router. Storage calls block, so handlers run them in Starlette's worker thread pool and
the event loop stays free to accept and parse other requests meanwhile.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from atlas.errors import PayloadTooLargeError, error_response
from atlas.metrics import Metrics
from atlas.middleware import BodyLimitMiddleware, ObservabilityMiddleware
from atlas.models import ListQuery, NearQuery, PlaceIn, error_details
from atlas.routing import SafeRoute
from atlas.storage import Place, Storage

DEFAULT_MAX_BODY_BYTES = 64 * 1024
CLIENT_CLOSED_REQUEST = 499

Handler = Callable[[Request], Awaitable[Response]]
_M = TypeVar("_M", bound=BaseModel)

log = logging.getLogger("atlas.app")

_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}


# -- helpers ------------------------------------------------------------------------------


def _storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


def _validate_query(request: Request, model: type[_M]) -> _M:
    return model.model_validate(dict(request.query_params))


def _route(path: str, handlers: dict[str, Handler]) -> Route:
    """One route per path with a handler per method.

    A single Route (rather than one per method) lets Starlette answer other methods with
    405 and a complete Allow header; separate Routes would each advertise only their own.
    """
    table = dict(handlers)
    if "GET" in table:
        table.setdefault("HEAD", table["GET"])

    async def dispatch(request: Request) -> Response:
        return await table[request.method](request)

    return SafeRoute(path, dispatch, methods=sorted(table), name=path)


def _place_id(request: Request) -> int:
    place_id: int = request.path_params["place_id"]
    return place_id


def _not_found(place_id: int) -> JSONResponse:
    return error_response(404, "not_found", f"no place with id {place_id}")


# -- endpoints ----------------------------------------------------------------------------


async def create_place(request: Request) -> Response:
    """POST /places: validate, store durably, return 201 with the stored place."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        return error_response(
            415, "unsupported_media_type", "Content-Type must be application/json"
        )
    body = await request.body()
    try:
        data = PlaceIn.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if any(err["type"] == "json_invalid" for err in errors):
            return error_response(
                400, "malformed_json", "request body is not valid JSON", error_details(errors)
            )
        raise
    place = await run_in_threadpool(
        _storage(request).create, data.name, data.latitude, data.longitude, data.tags
    )
    return JSONResponse(
        place.to_json(), status_code=201, headers={"Location": f"/places/{place.id}"}
    )


async def get_place(request: Request) -> Response:
    """GET /places/{id}."""
    place_id = _place_id(request)
    place = await run_in_threadpool(_storage(request).get, place_id)
    if place is None:
        return _not_found(place_id)
    return JSONResponse(place.to_json())


async def delete_place(request: Request) -> Response:
    """DELETE /places/{id}: 204 once the deletion is durable."""
    place_id = _place_id(request)
    if not await run_in_threadpool(_storage(request).delete, place_id):
        return _not_found(place_id)
    return Response(status_code=204)


async def list_places(request: Request) -> Response:
    """GET /places?tag=&limit=&after_id=: places in id order, optionally by tag."""
    query = _validate_query(request, ListQuery)
    places: list[Place] = await run_in_threadpool(
        _storage(request).list_places, query.tag, query.limit, query.after_id
    )
    next_after = places[-1].id if len(places) == query.limit else None
    return JSONResponse(
        {
            "places": [p.to_json() for p in places],
            "count": len(places),
            "next_after_id": next_after,
        }
    )


async def near_places(request: Request) -> Response:
    """GET /places/near?lat=&lon=&radius_km=&limit=: nearest first, with distance_km."""
    query = _validate_query(request, NearQuery)
    found = await run_in_threadpool(
        _storage(request).near, query.lat, query.lon, query.radius_km, query.limit
    )
    return JSONResponse(
        {
            "places": [
                {**place.to_json(), "distance_km": round(distance, 3)} for place, distance in found
            ],
            "count": len(found),
        }
    )


async def healthz(request: Request) -> Response:
    """Liveness: the process is up and its event loop answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: the start-up integrity check passed and the database answers now."""
    if not request.app.state.integrity_ok:
        return JSONResponse(
            {"status": "unavailable", "checks": {"integrity": "not verified"}}, status_code=503
        )
    try:
        await run_in_threadpool(_storage(request).ping)
    except sqlite3.Error as exc:
        log.warning("readiness_failed", extra={"reason": str(exc)})
        return JSONResponse(
            {"status": "unavailable", "checks": {"integrity": "ok", "database": str(exc)}},
            status_code=503,
        )
    return JSONResponse({"status": "ready", "checks": {"integrity": "ok", "database": "ok"}})


async def metrics_endpoint(request: Request) -> Response:
    """Prometheus text exposition of this service's own registry."""
    metrics: Metrics = request.app.state.metrics
    body, content_type = metrics.render(request.headers.get("accept"))
    return Response(body, headers={"Content-Type": content_type})


# -- exception handlers -------------------------------------------------------------------


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for this type only
    status = exc.status_code
    code = _ERROR_CODES.get(status, "http_error")
    message = {
        404: f"no route for {request.url.path}",
        405: f"method {request.method} not allowed on {request.url.path}",
    }.get(status, str(exc.detail))
    return error_response(status, code, message, headers=dict(exc.headers or {}))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ValidationError)  # noqa: S101 - registered for this type only
    details = error_details(exc.errors(include_url=False, include_input=False))
    return error_response(422, "validation_error", "request failed validation", details)


async def _payload_too_large(request: Request, exc: Exception) -> Response:
    limit: int = request.app.state.max_body_bytes
    return error_response(413, "payload_too_large", f"request body exceeds {limit} bytes")


async def _client_closed(request: Request, exc: Exception) -> Response:
    # The client went away mid-body: nobody reads this answer, but the access log and the
    # metrics record 499 (nginx's "client closed request"), not a server error.
    log.info("client_closed_request", extra={"path": request.url.path})
    return Response(status_code=CLIENT_CLOSED_REQUEST)


async def _internal_error(request: Request, exc: Exception) -> Response:
    # Never leak exception text to clients; the log line carries it with the request id.
    return error_response(500, "internal_error", "internal server error")


# -- assembly -----------------------------------------------------------------------------


def create_app(
    storage: Storage,
    metrics: Metrics,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    integrity_ok: bool = True,
) -> ASGIApp:
    """Build the ASGI application around an opened, checked Storage."""
    routes: list[BaseRoute] = [
        _route("/healthz", {"GET": healthz}),
        _route("/readyz", {"GET": readyz}),
        _route("/metrics", {"GET": metrics_endpoint}),
        _route("/places", {"GET": list_places, "POST": create_place}),
        # Declared before /places/{place_id}; the :int converter also keeps them apart.
        _route("/places/near", {"GET": near_places}),
        _route("/places/{place_id:int}", {"GET": get_place, "DELETE": delete_place}),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)],
        exception_handlers={
            HTTPException: _http_exception,
            ValidationError: _validation_error,
            PayloadTooLargeError: _payload_too_large,
            ClientDisconnect: _client_closed,
            Exception: _internal_error,
        },
    )
    # Starlette's slash redirect builds an absolute Location from the client's Host header
    # (`Host: evil.example` came back as `Location: http://evil.example/places`): no redirects.
    app.router.redirect_slashes = False
    app.state.storage = storage
    app.state.metrics = metrics
    app.state.max_body_bytes = max_body_bytes
    app.state.integrity_ok = integrity_ok
    return ObservabilityMiddleware(app, metrics, routes)
