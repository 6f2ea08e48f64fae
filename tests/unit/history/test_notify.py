"""Failure alerts through a real HTTP receiver on loopback: due rules, payloads, bad receivers."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from atlas_ci import notify
from atlas_ci.model import CheckResult, GateResult, Report, Status
from atlas_ci.ops_settings import NotifySettings, Webhook


def report(status: Status, reason: str = "lint: 3 finding(s)") -> Report:
    check = CheckResult(check="quality.lint", gate="quality", status=status, reason=reason)
    return Report(
        tool_version="0.1",
        commit="abc123",
        config_digest="d",
        started_at="2026-11-30T10:00:00+00:00",
        duration=1.0,
        status=status,
        gates=(GateResult(gate="quality", status=status, checks=(check,)),),
    )


@contextmanager
def receiver(behaviour: str = "ok") -> Iterator[tuple[str, list[bytes]]]:
    bodies: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            if behaviour == "hang":
                time.sleep(3)
            self.send_response(500 if behaviour == "500" else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    finally:
        server.shutdown()
        server.server_close()


def settings(kind: str = "json", when: str = "failure") -> NotifySettings:
    return NotifySettings(
        webhooks=(Webhook(url_env="HOOK_URL", kind=kind, when=when),), timeout=0.5, retries=1
    )


def test_due_rules() -> None:
    fail = Webhook(url_env="X", when="failure")
    rec = Webhook(url_env="X", when="recovery")
    assert notify.due(fail, Status.ERROR, None)
    assert not notify.due(fail, Status.PASSED, Status.FAILED)
    assert notify.due(rec, Status.PASSED, Status.FAILED)
    assert not notify.due(rec, Status.PASSED, Status.PASSED)
    assert notify.due(Webhook(url_env="X", when="always"), Status.PASSED, None)


def test_a_failing_run_posts_one_scrubbed_payload() -> None:
    with receiver() as (url, bodies):
        warnings = notify.send(
            settings(),
            report(Status.FAILED, "token=hunter2 leaked"),
            previous=None,
            env={"HOOK_URL": url},
            scrub=lambda s: s.replace("hunter2", "[redacted]"),
        )
    assert warnings == []
    (body,) = bodies
    assert b"hunter2" not in body
    doc = json.loads(body)
    assert doc["status"] == "failed"
    assert doc["checks"][0]["check"] == "quality.lint"


def test_slack_and_teams_shapes() -> None:
    for kind, key in (("slack", "text"), ("teams", "@type")):
        with receiver() as (url, bodies):
            notify.send(
                settings(kind),
                report(Status.ERROR),
                previous=None,
                env={"HOOK_URL": url},
                scrub=str,
            )
        assert key in json.loads(bodies[0])


def test_a_passing_run_sends_nothing_by_default() -> None:
    with receiver() as (url, bodies):
        assert (
            notify.send(
                settings(), report(Status.PASSED), previous=None, env={"HOOK_URL": url}, scrub=str
            )
            == []
        )
    assert bodies == []


def test_receivers_that_fail_or_hang_become_warnings_without_the_url() -> None:
    for behaviour in ("500", "hang"):
        with receiver(behaviour) as (url, bodies):
            started = time.monotonic()
            warnings = notify.send(
                settings(), report(Status.FAILED), previous=None, env={"HOOK_URL": url}, scrub=str
            )
            elapsed = time.monotonic() - started
        assert len(warnings) == 1
        assert "$HOOK_URL" in warnings[0]
        assert url not in warnings[0]
        assert len(bodies) == 2  # one try and one retry, then it gives up
        assert elapsed < 30  # bounded: 2 tries x 0.5 s timeout + backoff, on any load


def test_an_unset_variable_is_a_warning() -> None:
    warnings = notify.send(settings(), report(Status.FAILED), previous=None, env={}, scrub=str)
    assert warnings == ["notify: $HOOK_URL is not set; alert not sent"]
