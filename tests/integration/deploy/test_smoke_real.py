"""`atlas-ci smoke --url` against a real Atlas, and against services that break one probe each."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from atlas.testing import running_server
from helpers.cli import atlas_ci, checks, report

from atlas_ci import smoke
from atlas_ci.model import Status


def test_smoke_against_a_running_atlas_passes(tmp_path: Path) -> None:
    log = tmp_path / "atlas.log"
    with running_server(tmp_path / "atlas.db", log) as server:
        res = atlas_ci(
            "smoke",
            "--url",
            server.base_url,
            "--log-file",
            str(log),
            "--load-seconds",
            "5",
            "--report-dir",
            "smoke",
            cwd=tmp_path,
            timeout=180,
        )
    assert res.returncode == 0, res.stdout + res.stderr
    found = checks(report(tmp_path, "smoke"))
    assert {name: c["status"] for name, c in found.items()} == {
        "smoke.health": "passed",
        "smoke.readiness": "passed",
        "smoke.metrics": "passed",
        "smoke.logs": "passed",
        "smoke.headers": "passed",
        "smoke.load": "passed",
    }
    assert (tmp_path / "smoke" / "atlas-ci.sarif").is_file()
    assert (tmp_path / "smoke" / "summary.md").is_file()


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, bytes]]] = {}

    def do_GET(self) -> None:
        status, body = self.routes.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def version_string(self) -> str:
        return "fixture"

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_service() -> Iterator[tuple[str, dict[str, tuple[int, bytes]]]]:
    routes: dict[str, tuple[int, bytes]] = {
        "/healthz": (200, b"ok"),
        "/readyz": (200, b"ready"),
        "/metrics": (200, b"# TYPE hits counter\nhits_total 1\n"),
    }
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", routes
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def statuses(url: str, tmp_path: Path) -> tuple[dict[str, Status], dict[str, str], int]:
    rep, code, _ = smoke.run(smoke.SmokeOptions(url=url, report_dir=Path("r")), tmp_path)
    return {c.check: c.status for c in rep.checks}, {c.check: c.reason for c in rep.checks}, code


def test_metrics_that_are_not_prometheus_text_fail_naming_the_probe(
    fake_service: tuple[str, dict[str, tuple[int, bytes]]], tmp_path: Path
) -> None:
    url, routes = fake_service
    routes["/metrics"] = (200, b"<html><body>metrics</body></html>")
    found, reasons, code = statuses(url, tmp_path)
    assert code == 1
    assert found["smoke.metrics"] is Status.FAILED
    assert "is not Prometheus text" in reasons["smoke.metrics"]
    assert found["smoke.health"] is Status.PASSED


def test_counters_that_do_not_move_fail(
    fake_service: tuple[str, dict[str, tuple[int, bytes]]], tmp_path: Path
) -> None:
    url, _ = fake_service  # its counter stays at 1 whatever is requested
    found, reasons, _ = statuses(url, tmp_path)
    assert found["smoke.metrics"] is Status.FAILED
    assert reasons["smoke.metrics"] == "metrics: no counter moved after the probe's requests"


def test_readiness_503_fails_naming_the_probe(
    fake_service: tuple[str, dict[str, tuple[int, bytes]]], tmp_path: Path
) -> None:
    url, routes = fake_service
    routes["/readyz"] = (503, b"not ready")
    found, reasons, code = statuses(url, tmp_path)
    assert code == 1
    assert found["smoke.readiness"] is Status.FAILED
    assert reasons["smoke.readiness"] == "readiness: GET /readyz answered 503, not 200"
    assert found["smoke.health"] is Status.PASSED


def test_missing_security_header_and_a_versioned_server_fail(
    fake_service: tuple[str, dict[str, tuple[int, bytes]]], tmp_path: Path
) -> None:
    url, _ = fake_service
    opts = smoke.SmokeOptions(
        url=url, report_dir=Path("r"), require_headers=("X-Frame-Options=DENY",)
    )
    rep, _, _ = smoke.run(opts, tmp_path)
    headers = next(c for c in rep.checks if c.check == "smoke.headers")
    assert headers.status is Status.FAILED
    assert "missing x-frame-options: DENY" in headers.reason


def test_no_service_fails_every_probe_without_a_traceback(tmp_path: Path) -> None:
    from atlas.testing import free_port

    found, reasons, code = statuses(f"http://127.0.0.1:{free_port()}", tmp_path)
    assert code == 1
    assert found["smoke.health"] is Status.FAILED
    assert "got no answer" in reasons["smoke.health"]
