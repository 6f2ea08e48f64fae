"""Logs are JSON lines; each request gets one access record with method, path, status, duration."""

from __future__ import annotations

import pytest
from atlas.testing import AtlasProcess, http, read_json_lines

pytestmark = pytest.mark.observability


def access_records(server: AtlasProcess) -> list[dict[str, object]]:
    return [r for r in server.logs() if r.get("event") == "request"]


def test_every_line_is_json_with_the_common_fields(atlas_server: AtlasProcess) -> None:
    http("GET", atlas_server.url("/readyz"))
    assert atlas_server.stop() == 0
    records = read_json_lines(atlas_server.log_path)  # raises on any non-JSON line
    assert records
    for record in records:
        assert {"ts", "level", "event", "logger"} <= set(record), record
    events = [r["event"] for r in records]
    assert events[0] == "starting"
    assert "database_ok" in events
    assert events[-1] == "stopped"


def test_access_log_records_method_path_status_and_duration(atlas_server: AtlasProcess) -> None:
    created = http(
        "POST",
        atlas_server.url("/places"),
        json_body={"name": "Logged", "latitude": 1, "longitude": 2},
        headers={"X-Request-ID": "trace-create-1"},
    )
    assert created.headers["X-Request-ID"] == "trace-create-1"
    place_id = created.json()["id"]
    http("GET", atlas_server.url(f"/places/{place_id}"), headers={"X-Request-ID": "trace-get-2"})
    http("GET", atlas_server.url("/places/424242"), headers={"X-Request-ID": "trace-miss-3"})
    atlas_server.stop()

    by_id = {r.get("request_id"): r for r in access_records(atlas_server)}
    expected = {
        "trace-create-1": ("POST", "/places", "/places", 201),
        "trace-get-2": ("GET", f"/places/{place_id}", "/places/{place_id:int}", 200),
        "trace-miss-3": ("GET", "/places/424242", "/places/{place_id:int}", 404),
    }
    for request_id, (method, path, route, status) in expected.items():
        record = by_id[request_id]
        assert (record["method"], record["path"], record["route"], record["status"]) == (
            method,
            path,
            route,
            status,
        )
        duration = record["duration_ms"]
        assert isinstance(duration, float | int)
        assert 0 <= duration < 10_000
        assert record["level"] == "info"
        assert record["logger"] == "atlas.access"


def test_one_access_record_per_request_and_no_uvicorn_access_log(
    atlas_server: AtlasProcess,
) -> None:
    for _ in range(5):
        http("GET", atlas_server.url("/places?limit=1"))
    atlas_server.stop()
    records = atlas_server.logs()
    listed = [r for r in records if r.get("event") == "request" and r.get("path") == "/places"]
    assert len(listed) == 5
    # uvicorn's access logger would print '"GET /places?limit=1 HTTP/1.1" 200'.
    assert not [r for r in records if "HTTP/1.1" in str(r.get("event"))]


def test_a_bad_request_id_is_replaced_not_logged(atlas_server: AtlasProcess) -> None:
    resp = http("GET", atlas_server.url("/healthz"), headers={"X-Request-ID": "bad id\twith tab"})
    generated = resp.headers["X-Request-ID"]
    assert generated != "bad id\twith tab"
    assert len(generated) == 32
    atlas_server.stop()
    assert any(r.get("request_id") == generated for r in access_records(atlas_server))
