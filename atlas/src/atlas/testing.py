"""Helpers for tests that run Atlas as a real process and talk to it over HTTP.

Standard library only, so importing it pulls in no test framework. Every server started
here is stopped by the context manager, including when the test body raises.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class HttpResponse:
    """Status, headers and raw body of one HTTP exchange."""

    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        """Decode the body as JSON."""
        return json.loads(self.body)


def http(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> HttpResponse:
    """Send one request with urllib and return the response, 4xx/5xx included."""
    data = body
    all_headers = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"tests only talk to {LOOPBACK}, not {url!r}")
    # The scheme and host were checked above: only http://127.0.0.1 is ever opened.
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310  # nosec B310
            return HttpResponse(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return HttpResponse(err.code, err.headers, err.read())


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """Parse a log file of JSON lines; raise ValueError naming any line that is not JSON."""
    records: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"log line {number} is not JSON: {line!r}") from exc
        if not isinstance(record, dict):
            raise ValueError(f"log line {number} is not a JSON object: {line!r}")
        records.append(record)
    return records


class ServerStartError(RuntimeError):
    """The server process exited or never became healthy."""


@dataclass
class AtlasProcess:
    """A running ``python -m atlas serve`` subprocess."""

    proc: subprocess.Popen[bytes]
    port: int
    db_path: Path | None
    log_path: Path
    _log_file: Any = field(repr=False, default=None)

    @property
    def base_url(self) -> str:
        """Return the http://127.0.0.1:PORT prefix of this server."""
        return f"http://{LOOPBACK}:{self.port}"

    def url(self, path: str) -> str:
        """Return the absolute URL of ``path`` on this server."""
        return self.base_url + path

    def logs(self) -> list[dict[str, Any]]:
        """Return the JSON log records written so far."""
        return read_json_lines(self.log_path)

    def log_text(self) -> str:
        """Return the raw log, for failure messages."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the server if it is still running."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        """Wait for exit and return the status (negative: killed by that signal)."""
        return self.proc.wait(timeout=timeout)

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL; return the exit status."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    return self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            return self.proc.wait(timeout=timeout)
        finally:
            self._close_log()

    def kill(self) -> int:
        """SIGKILL the server (a crash, as far as it can tell) and reap it."""
        try:
            if self.proc.poll() is None:
                self.proc.kill()
            return self.proc.wait(timeout=15.0)
        finally:
            self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def server_command(port: int, db_path: Path | None, extra_args: Sequence[str] = ()) -> list[str]:
    """Return the argv that starts Atlas on 127.0.0.1:port (default database if None)."""
    db_args = [] if db_path is None else ["--db", str(db_path)]
    return [
        sys.executable,
        "-m",
        "atlas",
        "serve",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        *db_args,
        *extra_args,
    ]


def launch(
    db_path: Path | None,
    log_path: Path,
    *,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    wrapper: Sequence[str] = (),
) -> AtlasProcess:
    """Start the server process without waiting for it; stderr and stdout go to log_path.

    ``wrapper`` is prepended to the command line, e.g. a program that restricts the
    process and then execs the rest of its arguments.
    """
    port = free_port() if port is None else port
    log_file = log_path.open("ab")
    try:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv of this interpreter, no shell
            [*wrapper, *server_command(port, db_path, extra_args)],
            stdout=log_file,
            stderr=log_file,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ if env is None else env),
        )
    except BaseException:
        log_file.close()
        raise
    return AtlasProcess(proc, port, db_path, log_path, log_file)


def wait_healthy(server: AtlasProcess, deadline_s: float = 20.0) -> None:
    """Poll /healthz until it answers 200; raise ServerStartError on exit or deadline."""
    deadline = time.monotonic() + deadline_s
    last_error = "no attempt"
    while time.monotonic() < deadline:
        status = server.proc.poll()
        if status is not None:
            raise ServerStartError(
                f"atlas exited with status {status} before becoming healthy:\n{server.log_text()}"
            )
        try:
            if http("GET", server.url("/healthz"), timeout=1.0).status == 200:
                return
        except OSError as exc:  # connection refused while it starts up
            last_error = str(exc)
        time.sleep(0.05)
    raise ServerStartError(
        f"atlas not healthy within {deadline_s}s ({last_error}):\n{server.log_text()}"
    )


def _port_in_use(log_text: str) -> bool:
    return "address already in use" in log_text.lower()


def start(
    db_path: Path | None,
    log_path: Path,
    *,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    wrapper: Sequence[str] = (),
    deadline_s: float = 20.0,
) -> AtlasProcess:
    """Start a server on a free port and wait until healthy; kill it if it never is.

    free_port() cannot reserve the port, so another process may take it first; a
    start that fails with "address already in use" is retried on a new port.
    """
    for _attempt in range(3):
        server = launch(db_path, log_path, extra_args=extra_args, env=env, wrapper=wrapper)
        try:
            wait_healthy(server, deadline_s)
        except ServerStartError:
            server.kill()
            if _port_in_use(server.log_text()):
                continue
            raise
        except BaseException:
            server.kill()
            raise
        return server
    raise ServerStartError("could not find a free port in 3 attempts")


@contextlib.contextmanager
def running_server(
    db_path: Path | None,
    log_path: Path,
    *,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    wrapper: Sequence[str] = (),
) -> Iterator[AtlasProcess]:
    """Run a healthy server for the duration of the ``with`` block, then stop it."""
    server = start(db_path, log_path, extra_args=extra_args, env=env, wrapper=wrapper)
    try:
        yield server
    finally:
        server.stop()
