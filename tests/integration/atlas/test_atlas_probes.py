"""Regressions for what probing a real Atlas process found (issue 12), one test per defect."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator

import pytest
from atlas.testing import AtlasProcess, http, running_server

HEADER_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtlasProcess]:
    workdir = tmp_path_factory.mktemp("probes")
    with running_server(
        workdir / "atlas.db",
        workdir / "server.log",
        extra_args=["--header-timeout", str(HEADER_TIMEOUT)],
    ) as srv:
        yield srv


def _raw(port: int, data: bytes, wait: float = 3.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except TimeoutError:
            pass
    return out


def _metric(server: AtlasProcess, route: str, status: int) -> float:
    text = http("GET", server.url("/metrics")).body.decode()
    labels = f'method="GET",route="{route}",status="{status}"'
    pattern = r"atlas_http_requests_total\{" + re.escape(labels) + r"\} (\S+)"
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


def test_after_id_beyond_64_bits_is_a_json_client_error(server: AtlasProcess) -> None:
    resp = http("GET", server.url("/places?after_id=9223372036854775808"))
    assert resp.status == 422
    assert resp.json()["error"]["code"] == "validation_error"
    assert http("GET", server.url("/places?after_id=9223372036854775807")).status == 200


def test_a_4301_digit_id_gets_a_json_error_with_request_id_log_and_metric(
    server: AtlasProcess,
) -> None:
    before = _metric(server, "<unmatched>", 404)
    resp = http("GET", server.url("/places/" + "1" * 4301))
    assert resp.status == 404
    assert resp.headers["content-type"] == "application/json"
    assert resp.json()["error"]["code"] == "not_found"
    request_id = resp.headers["x-request-id"]
    assert request_id
    time.sleep(0.2)
    assert any(r.get("request_id") == request_id and r.get("status") == 404 for r in server.logs())
    assert _metric(server, "<unmatched>", 404) == before + 1


def test_connections_trickling_headers_are_closed_in_bounded_time(server: AtlasProcess) -> None:
    socks = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(20)]
    try:
        started = time.monotonic()
        for sock in socks:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never the blank line
        closed = 0
        for sock in socks:
            closed += sock.recv(1) == b""  # the server closed it (a timeout would raise)
        elapsed = time.monotonic() - started
    finally:
        for sock in socks:
            sock.close()
    assert closed == len(socks)
    assert elapsed < HEADER_TIMEOUT + 8  # bounded: the deadline plus scheduling slack
    # A client that sends its headers in time is served as before.
    assert http("GET", server.url("/healthz")).status == 200


def test_host_header_is_never_reflected_into_a_redirect(server: AtlasProcess) -> None:
    answer = _raw(
        server.port, b"GET /places/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    )
    assert b"evil.example" not in answer
    assert answer.startswith(b"HTTP/1.1 404")


def test_client_disconnecting_mid_body_is_499_not_500(server: AtlasProcess) -> None:
    head = (
        b"POST /places HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head + b'{"na')
        time.sleep(0.3)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        posts = [
            r for r in server.logs() if r.get("method") == "POST" and r.get("event") == "request"
        ]
        if posts:
            break
        time.sleep(0.1)
    assert posts
    assert posts[-1]["status"] == 499, posts
    assert not any(r.get("event") == "unhandled_exception" for r in server.logs())
    text = http("GET", server.url("/metrics")).body.decode()
    assert 'atlas_http_requests_total{method="POST",route="/places",status="499"} 1.0' in text
    assert 'status="500"' not in text
