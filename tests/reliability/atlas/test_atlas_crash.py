"""Crash safety: SIGKILL mid-write, corrupt files at start-up, and SIGTERM draining.

Everything runs against real server processes on 127.0.0.1, with bounded loops and
deadlines, and every process is reaped in a finally block.
"""

from __future__ import annotations

import json
import random
import signal
import socket
import sqlite3
import threading
import time
from http.client import HTTPConnection, HTTPException, HTTPResponse
from pathlib import Path

import pytest
from atlas.testing import LOOPBACK, AtlasProcess, http, launch, running_server, start

pytestmark = pytest.mark.reliability

ROUNDS = 20
WRITERS = 3


class Writers:
    """Threads that POST places back to back and remember which ones were acknowledged."""

    def __init__(self, server: AtlasProcess, tag: str) -> None:
        self.server = server
        self.tag = tag
        self.acked: dict[int, str] = {}
        self.lock = threading.Condition()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(WRITERS)
        ]

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)
        assert not any(t.is_alive() for t in self.threads), "a writer thread hung"

    def _run(self, number: int) -> None:
        conn = HTTPConnection(LOOPBACK, self.server.port, timeout=5)
        seq = 0
        try:
            while not self.stop.is_set():
                name = f"{self.tag}-w{number}-{seq}"
                seq += 1
                body = json.dumps({"name": name, "latitude": 1.0, "longitude": 2.0})
                try:
                    conn.request(
                        "POST", "/places", body, headers={"Content-Type": "application/json"}
                    )
                    resp = conn.getresponse()
                    payload = resp.read()
                except (OSError, HTTPException):
                    # The server died mid-exchange (maybe after sending the status line):
                    # this request is in doubt, not acknowledged.
                    return
                if resp.status != 201:
                    return
                place = json.loads(payload)
                with self.lock:
                    self.acked[place["id"]] = name
                    self.lock.notify_all()
        finally:
            conn.close()

    def wait_for(self, count: int, deadline_s: float = 15.0) -> None:
        with self.lock:
            ok = self.lock.wait_for(lambda: len(self.acked) >= count, timeout=deadline_s)
        assert ok, f"only {len(self.acked)} of {count} writes acknowledged in {deadline_s}s"


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    rng = random.Random(0xA71A5)
    db = tmp_path / "atlas.db"
    log = tmp_path / "server.log"
    acked: dict[int, str] = {}
    previous_round: dict[int, str] = {}
    for round_no in range(ROUNDS):
        server = start(db, log)
        try:
            # The restart recovered the WAL: last round's acknowledged writes are all there.
            for place_id, name in previous_round.items():
                resp = http("GET", server.url(f"/places/{place_id}"))
                assert resp.status == 200, (round_no, place_id, resp.body)
                assert resp.json()["name"] == name
            with Writers(server, f"r{round_no}") as writers:
                # Kill after a random amount of progress, with writes still in flight.
                writers.wait_for(rng.randint(1, 40))
                server.kill()
            previous_round = dict(writers.acked)
            acked.update(writers.acked)
        finally:
            server.kill()
        assert server.proc.returncode == -signal.SIGKILL
    assert len(acked) >= ROUNDS  # every round acknowledged something before its kill

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = dict(conn.execute("SELECT id, name FROM places").fetchall())
    finally:
        conn.close()
    missing = {pid: name for pid, name in acked.items() if stored.get(pid) != name}
    assert missing == {}, f"{len(missing)} acknowledged writes lost"


def _corrupt_with_garbage(db: Path) -> None:
    db.write_bytes(random.Random(3).randbytes(64 * 1024))


def _corrupt_pages(db: Path, tmp_path: Path) -> None:
    with running_server(db, tmp_path / "seed.log") as server:
        for i in range(200):
            body = {"name": f"seed {i} " * 10, "latitude": i % 90, "longitude": i % 180}
            assert http("POST", server.url("/places"), json_body=body).status == 201
    # The graceful stop checkpointed the WAL into the main file; damage its b-tree pages
    # but leave the 100-byte header intact, so only the integrity check can tell.
    data = bytearray(db.read_bytes())
    rng = random.Random(4)
    for offset in range(4096, len(data), 61):
        data[offset] = rng.randrange(256)
    db.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


@pytest.mark.parametrize("damage", ["not-a-database", "damaged-pages"])
def test_a_corrupt_database_is_refused_before_binding(tmp_path: Path, damage: str) -> None:
    db = tmp_path / "atlas.db"
    if damage == "not-a-database":
        _corrupt_with_garbage(db)
    else:
        _corrupt_pages(db, tmp_path)
    before = db.read_bytes()
    server = launch(db, tmp_path / "server.log")
    try:
        status = server.wait(timeout=30)
    finally:
        server.kill()
    assert status == 3, server.log_text()
    records = server.logs()
    refusals = [r for r in records if r.get("event") == "database_corrupt"]
    assert len(refusals) == 1, records
    assert refusals[0]["level"] == "error"
    assert refusals[0]["db"] == str(db)
    reason = str(refusals[0]["reason"]).lower()
    assert any(word in reason for word in ("not a database", "malformed", "integrity_check")), (
        reason
    )
    # Never got as far as starting uvicorn, let alone binding the port.
    assert not [r for r in records if str(r.get("logger", "")).startswith("uvicorn")]
    assert _refuses_connections(server)
    assert db.read_bytes() == before, "a refused database must be left exactly as found"


def _start_slow_post(server: AtlasProcess, body: bytes) -> socket.socket:
    """Send headers and half the body of a POST, leaving the request in flight."""
    sock = socket.create_connection((LOOPBACK, server.port), timeout=10)
    sock.sendall(
        b"POST /places HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[: len(body) // 2]
    )
    return sock


def _in_progress(server: AtlasProcess, method: str, route: str) -> float:
    text = http("GET", server.url("/metrics")).body.decode()
    needle = f'atlas_http_requests_in_progress{{method="{method}",route="{route}"}} '
    for line in text.splitlines():
        if line.startswith(needle):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _poll(condition: object, deadline_s: float, what: str) -> None:
    assert callable(condition)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {deadline_s}s waiting for {what}")


def _refuses_connections(server: AtlasProcess) -> bool:
    try:
        socket.create_connection((LOOPBACK, server.port), timeout=1).close()
    except OSError:
        return True
    return False


def test_sigterm_drains_in_flight_requests_then_exits_0(tmp_path: Path) -> None:
    db = tmp_path / "atlas.db"
    server = start(db, tmp_path / "server.log")
    sockets: list[socket.socket] = []
    try:
        bodies = [
            json.dumps({"name": f"in flight {n}", "latitude": 5.0, "longitude": 6.0}).encode()
            for n in range(2)
        ]
        sockets = [_start_slow_post(server, body) for body in bodies]
        _poll(
            lambda: _in_progress(server, "POST", "/places") == 2,
            10,
            "both POSTs to be in flight",
        )
        server.signal(signal.SIGTERM)
        # Draining: no new connections are accepted, but the process is still alive...
        _poll(lambda: _refuses_connections(server), 10, "the listener to close")
        assert server.proc.poll() is None, "exited without waiting for in-flight requests"
        # ...and the requests it had accepted are completed and answered.
        names = []
        for sock, body in zip(sockets, bodies, strict=True):
            sock.sendall(body[len(body) // 2 :])
            resp = HTTPResponse(sock)
            resp.begin()
            assert resp.status == 201
            names.append(json.loads(resp.read())["name"])
            assert sock.recv(1) == b"", "a draining server must close the connection"
        assert names == ["in flight 0", "in flight 1"]
        assert server.wait(timeout=15) == 0
    finally:
        for sock in sockets:
            sock.close()
        server.kill()
    events = [r.get("event") for r in server.logs()]
    assert "stopped" in events
    # The drained writes were committed before they were acknowledged.
    with running_server(db, tmp_path / "again.log") as again:
        listed = http("GET", again.url("/places")).json()["places"]
        assert [p["name"] for p in listed] == ["in flight 0", "in flight 1"]


def test_sigterm_shutdown_is_bounded_by_the_graceful_timeout(tmp_path: Path) -> None:
    server = start(
        tmp_path / "atlas.db", tmp_path / "server.log", extra_args=["--graceful-timeout", "1"]
    )
    sock: socket.socket | None = None
    try:
        sock = _start_slow_post(
            server, b'{"name": "never finished", "latitude": 0, "longitude": 0}'
        )
        _poll(lambda: _in_progress(server, "POST", "/places") == 1, 10, "the POST to be in flight")
        started = time.monotonic()
        server.signal(signal.SIGTERM)
        status = server.wait(timeout=20)  # the client never sends the rest
        elapsed = time.monotonic() - started
    finally:
        if sock is not None:
            sock.close()
        server.kill()
    assert status == 0, server.log_text()
    assert 0.9 <= elapsed < 10
    assert any("graceful shutdown exceeded" in str(r.get("event")) for r in server.logs())
