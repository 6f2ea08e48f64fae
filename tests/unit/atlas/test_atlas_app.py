"""The ASGI app driven in-process: error shapes, 500 handling, metrics and access logs."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from atlas.app import create_app
from atlas.metrics import Metrics
from atlas.storage import Storage

pytestmark = pytest.mark.unit


def call(
    app: Any, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Run one HTTP request through the ASGI app and collect the response."""
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
    }
    chunks = [body]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if chunks:
            return {"type": "http.request", "body": chunks.pop(0), "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    response_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], response_headers, payload


class ExplodingStorage:
    """A storage whose every call fails the way a bug would."""

    def get(self, place_id: int) -> None:
        raise RuntimeError("secret internal detail")


@pytest.fixture
def storage(tmp_path: Path) -> Any:
    store = Storage.open(tmp_path / "atlas.db")
    yield store
    store.close()


def test_unhandled_errors_become_a_generic_json_500(caplog: pytest.LogCaptureFixture) -> None:
    metrics = Metrics()
    app = create_app(ExplodingStorage(), metrics)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO):
        status, headers, body = call(app, "GET", "/places/1")
    assert status == 500
    error = json.loads(body)["error"]
    assert error["code"] == "internal_error"
    assert "secret" not in body.decode()  # no internals leak to the client
    logged = [r for r in caplog.records if r.getMessage() == "unhandled_exception"]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
    assert logged[0].request_id == headers["x-request-id"]  # type: ignore[attr-defined]
    access = [r for r in caplog.records if r.getMessage() == "request"]
    assert [r.status for r in access] == [500]  # type: ignore[attr-defined]
    text = metrics.render(None)[0].decode()
    assert (
        'atlas_http_requests_total{method="GET",route="/places/{place_id:int}",status="500"} 1.0'
        in text
    )


def test_create_and_fetch_in_process(storage: Storage) -> None:
    app = create_app(storage, Metrics())
    body = json.dumps({"name": "A", "latitude": 1, "longitude": 2, "tags": ["x"]}).encode()
    status, headers, payload = call(
        app, "POST", "/places", body, {"Content-Type": "application/json; charset=utf-8"}
    )
    assert status == 201
    place = json.loads(payload)
    assert headers["location"] == f"/places/{place['id']}"
    status, _, payload = call(app, "GET", f"/places/{place['id']}")
    assert (status, json.loads(payload)) == (200, place)


def test_body_limit_is_configurable(storage: Storage) -> None:
    app = create_app(storage, Metrics(), max_body_bytes=32)
    body = json.dumps({"name": "a name that is long", "latitude": 1, "longitude": 2}).encode()
    # Declared length over the limit: refused before the handler runs.
    status, _, payload = call(
        app,
        "POST",
        "/places",
        body,
        {"Content-Type": "application/json", "Content-Length": str(len(body))},
    )
    assert status == 413
    assert json.loads(payload)["error"]["code"] == "payload_too_large"
    # No Content-Length at all: the streamed bytes are counted instead.
    status, _, payload = call(app, "POST", "/places", body, {"Content-Type": "application/json"})
    assert status == 413
    assert json.loads(payload)["error"]["code"] == "payload_too_large"


def test_readiness_fails_when_the_database_is_gone(storage: Storage) -> None:
    app = create_app(storage, Metrics())
    assert call(app, "GET", "/readyz")[0] == 200
    storage.close()
    status, _, payload = call(app, "GET", "/readyz")
    assert status == 503
    assert json.loads(payload)["status"] == "unavailable"


def test_readiness_requires_the_startup_integrity_check(storage: Storage) -> None:
    app = create_app(storage, Metrics(), integrity_ok=False)
    status, _, payload = call(app, "GET", "/readyz")
    assert status == 503
    assert json.loads(payload)["checks"]["integrity"] == "not verified"
    assert call(app, "GET", "/healthz")[0] == 200  # alive, just not ready
