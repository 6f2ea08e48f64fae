"""Every endpoint and every client-error path, over real HTTP against a real process."""

from __future__ import annotations

import json
import socket
from http.client import HTTPResponse
from typing import Any

import pytest
from atlas.testing import LOOPBACK, AtlasProcess, http

pytestmark = pytest.mark.integration

LIMIT = 64 * 1024


def create(server: AtlasProcess, **fields: Any) -> dict[str, Any]:
    body = {"name": "somewhere", "latitude": 0.0, "longitude": 0.0, "tags": []}
    body.update(fields)
    resp = http("POST", server.url("/places"), json_body=body)
    assert resp.status == 201, resp.body
    created: dict[str, Any] = resp.json()
    return created


def assert_error(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status == status, resp.body
    assert resp.headers["Content-Type"].startswith("application/json")
    error: dict[str, Any] = resp.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], list)
    return error


# -- happy paths ------------------------------------------------------------------------


def test_create_returns_201_with_the_stored_place(atlas_server: AtlasProcess) -> None:
    resp = http(
        "POST",
        atlas_server.url("/places"),
        json_body={
            "name": "Tower Bridge",
            "latitude": 51.5055,
            "longitude": -0.0754,
            "tags": ["Bridge", "landmark"],
        },
    )
    assert resp.status == 201
    place = resp.json()
    assert set(place) == {"id", "name", "latitude", "longitude", "tags", "created_at"}
    assert place["name"] == "Tower Bridge"
    assert place["tags"] == ["bridge", "landmark"]
    assert resp.headers["Location"] == f"/places/{place['id']}"
    assert resp.headers["X-Request-ID"]


def test_get_by_id_returns_what_was_created(atlas_server: AtlasProcess) -> None:
    created = create(atlas_server, name="Big Ben", latitude=51.5007, longitude=-0.1246)
    resp = http("GET", atlas_server.url(f"/places/{created['id']}"))
    assert resp.status == 200
    assert resp.json() == created


def test_list_by_tag_returns_only_tagged_places(atlas_server: AtlasProcess) -> None:
    a = create(atlas_server, name="Cafe A", tags=["coffee-itest"])
    create(atlas_server, name="Bakery", tags=["bread-itest"])
    b = create(atlas_server, name="Cafe B", tags=["Coffee-itest", "wifi"])
    resp = http("GET", atlas_server.url("/places?tag=coffee-itest"))
    assert resp.status == 200
    body = resp.json()
    assert [p["id"] for p in body["places"]] == [a["id"], b["id"]]
    assert body["count"] == 2
    assert body["next_after_id"] is None
    page = http("GET", atlas_server.url("/places?tag=coffee-itest&limit=1")).json()
    assert [p["id"] for p in page["places"]] == [a["id"]]
    rest = http(
        "GET", atlas_server.url(f"/places?tag=coffee-itest&after_id={page['next_after_id']}")
    ).json()
    assert [p["id"] for p in rest["places"]] == [b["id"]]


def test_near_returns_nearest_first_with_distance(atlas_server: AtlasProcess) -> None:
    # Somewhere empty (South Atlantic) so other tests' places cannot interfere.
    far = create(atlas_server, name="far", latitude=-40.0, longitude=-20.0)
    near = create(atlas_server, name="near", latitude=-40.5, longitude=-20.5)
    nearest = create(atlas_server, name="nearest", latitude=-40.9, longitude=-20.9)
    create(atlas_server, name="out of range", latitude=-45.0, longitude=-25.0)
    resp = http("GET", atlas_server.url("/places/near?lat=-41&lon=-21&radius_km=200&limit=10"))
    assert resp.status == 200
    body = resp.json()
    assert [p["id"] for p in body["places"]] == [nearest["id"], near["id"], far["id"]]
    assert body["count"] == 3
    distances = [p["distance_km"] for p in body["places"]]
    assert distances == sorted(distances)
    assert 0 < distances[0] < 20
    limited = http("GET", atlas_server.url("/places/near?lat=-41&lon=-21&radius_km=200&limit=1"))
    assert [p["id"] for p in limited.json()["places"]] == [nearest["id"]]


def test_delete_then_get_is_404(atlas_server: AtlasProcess) -> None:
    created = create(atlas_server, name="temporary")
    url = atlas_server.url(f"/places/{created['id']}")
    resp = http("DELETE", url)
    assert resp.status == 204
    assert resp.body == b""
    assert_error(http("GET", url), 404, "not_found")
    assert_error(http("DELETE", url), 404, "not_found")


def test_health_and_readiness(atlas_server: AtlasProcess) -> None:
    health = http("GET", atlas_server.url("/healthz"))
    assert (health.status, health.json()) == (200, {"status": "ok"})
    ready = http("GET", atlas_server.url("/readyz"))
    assert ready.status == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["checks"] == {"integrity": "ok", "database": "ok"}


def test_metrics_endpoint_serves_prometheus_text(atlas_server: AtlasProcess) -> None:
    resp = http("GET", atlas_server.url("/metrics"))
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert b"# TYPE atlas_http_requests_total counter" in resp.body


def test_head_is_allowed_where_get_is(atlas_server: AtlasProcess) -> None:
    resp = http("HEAD", atlas_server.url("/healthz"))
    assert resp.status == 200
    assert resp.body == b""


# -- client errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b'{"name": "x", "latitude": 1', b"not json at all", b'{"name": "x",}', b"\xff\xfe"],
    ids=["truncated", "garbage", "trailing-comma", "not-utf8"],
)
def test_malformed_json_is_400(atlas_server: AtlasProcess, raw: bytes) -> None:
    resp = http(
        "POST", atlas_server.url("/places"), body=raw, headers={"Content-Type": "application/json"}
    )
    assert_error(resp, 400, "malformed_json")


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [
        (90.5, 0.0, "latitude"),
        (-91.0, 0.0, "latitude"),
        (0.0, 181.0, "longitude"),
        (0.0, -180.01, "longitude"),
    ],
)
def test_out_of_range_coordinates_are_422(
    atlas_server: AtlasProcess, lat: float, lon: float, field: str
) -> None:
    resp = http(
        "POST",
        atlas_server.url("/places"),
        json_body={"name": "nowhere", "latitude": lat, "longitude": lon},
    )
    error = assert_error(resp, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == [field]


def test_unknown_fields_are_422_and_named(atlas_server: AtlasProcess) -> None:
    resp = http(
        "POST",
        atlas_server.url("/places"),
        json_body={"name": "x", "latitude": 1, "longitude": 1, "colour": "red"},
    )
    error = assert_error(resp, 422, "validation_error")
    assert error["details"] == [
        {"field": "colour", "message": "Extra inputs are not permitted", "type": "extra_forbidden"}
    ]


def test_missing_fields_and_wrong_types_are_422(atlas_server: AtlasProcess) -> None:
    error = assert_error(
        http("POST", atlas_server.url("/places"), json_body={"name": "x", "latitude": "1"}),
        422,
        "validation_error",
    )
    assert {d["field"] for d in error["details"]} == {"latitude", "longitude"}
    assert_error(
        http("POST", atlas_server.url("/places"), json_body=[1, 2]), 422, "validation_error"
    )


def test_wrong_content_type_is_415(atlas_server: AtlasProcess) -> None:
    resp = http(
        "POST",
        atlas_server.url("/places"),
        body=b'{"name": "x", "latitude": 1, "longitude": 1}',
        headers={"Content-Type": "text/plain"},
    )
    assert_error(resp, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "query",
    [
        "lat=91&lon=0",
        "lat=0&lon=200",
        "lat=abc&lon=0",
        "lon=0",
        "lat=0&lon=0&radius_km=-1",
        "lat=0&lon=0&limit=1000",
        "lat=0&lon=0&unknown=1",
    ],
)
def test_bad_near_queries_are_422(atlas_server: AtlasProcess, query: str) -> None:
    assert_error(http("GET", atlas_server.url(f"/places/near?{query}")), 422, "validation_error")


def test_bad_list_queries_are_422(atlas_server: AtlasProcess) -> None:
    assert_error(http("GET", atlas_server.url("/places?limit=0")), 422, "validation_error")
    assert_error(http("GET", atlas_server.url("/places?tag=a%20b")), 422, "validation_error")


@pytest.mark.parametrize(
    "path",
    ["/places/999999999", "/places/99999999999999999999999999", "/places/abc", "/nope", "/"],
)
def test_unknown_ids_and_routes_are_404(atlas_server: AtlasProcess, path: str) -> None:
    assert_error(http("GET", atlas_server.url(path)), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/places", {"GET", "HEAD", "POST"}),
        ("DELETE", "/places", {"GET", "HEAD", "POST"}),
        ("POST", "/places/1", {"GET", "HEAD", "DELETE"}),
        ("PATCH", "/places/1", {"GET", "HEAD", "DELETE"}),
        ("POST", "/places/near", {"GET", "HEAD"}),
        ("POST", "/healthz", {"GET", "HEAD"}),
        ("DELETE", "/metrics", {"GET", "HEAD"}),
    ],
)
def test_wrong_method_is_405_with_allow(
    atlas_server: AtlasProcess, method: str, path: str, allow: set[str]
) -> None:
    resp = http(method, atlas_server.url(path), body=b"" if method != "DELETE" else None)
    assert_error(resp, 405, "method_not_allowed")
    assert {m.strip() for m in resp.headers["Allow"].split(",")} == allow


def test_oversized_body_with_content_length_is_413(atlas_server: AtlasProcess) -> None:
    body = json.dumps({"name": "x" * (LIMIT + 10), "latitude": 0, "longitude": 0}).encode()
    resp = http(
        "POST", atlas_server.url("/places"), body=body, headers={"Content-Type": "application/json"}
    )
    assert_error(resp, 413, "payload_too_large")


def test_body_exactly_at_the_limit_is_not_413(atlas_server: AtlasProcess) -> None:
    body = b'{"name": "x", "latitude": 0, "longitude": 0}'
    body += b" " * (LIMIT - len(body))  # JSON allows trailing whitespace
    assert len(body) == LIMIT
    resp = http(
        "POST", atlas_server.url("/places"), body=body, headers={"Content-Type": "application/json"}
    )
    assert resp.status == 201, resp.body


def _raw_exchange(server: AtlasProcess, head: bytes, chunks: list[bytes]) -> tuple[int, bytes]:
    """Send a hand-made request (headers, then body chunks) and read the response."""
    with socket.create_connection((LOOPBACK, server.port), timeout=10) as sock:
        sock.sendall(head)
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may stop reading once it has seen enough; read its answer
        response = HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


def test_oversized_chunked_body_without_content_length_is_413(atlas_server: AtlasProcess) -> None:
    head = (
        b"POST /places HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    piece = b"x" * 8192
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    chunks = [chunk] * 10 + [b"0\r\n\r\n"]  # 80 KiB in all, never announced up front
    status, body = _raw_exchange(atlas_server, head, chunks)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "payload_too_large"


def test_content_length_that_understates_the_body_is_not_trusted(
    atlas_server: AtlasProcess,
) -> None:
    # Claims 10 bytes, sends a valid 10-byte prefix: the server must read exactly 10 bytes
    # and treat the rest as a new (bad) request, never as part of the body.
    body = b'{"a": 1}  '
    head = (
        b"POST /places HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10\r\nConnection: close\r\n\r\n"
    )
    status, payload = _raw_exchange(atlas_server, head, [body + b"z" * 100_000])
    assert status == 422
    assert json.loads(payload)["error"]["details"][0]["field"] in {"a", "name"}


def test_non_numeric_content_length_is_rejected(atlas_server: AtlasProcess) -> None:
    head = (
        b"POST /places HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: lots\r\nConnection: close\r\n\r\n"
    )
    status, _ = _raw_exchange(atlas_server, head, [])
    assert status == 400
