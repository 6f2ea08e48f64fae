"""The service under test: started on a free loopback port, health-checked, always stopped.

Every start goes through `process.start`, so the service sits in its own process group on the
kill-all list: an interrupt (SIGINT/SIGTERM) kills it with every other child, and the context
manager stops it on every other exit path. Its log lands, bounded, in reports/reliability/logs/.
"""

from __future__ import annotations

import contextlib
import enum
import itertools
import os
import signal
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from atlas_ci import process, redact, reportdir
from atlas_ci.checks.base import CheckContext
from atlas_ci.checks.reliability.http import free_port, port_open, request
from atlas_ci.checks.reliability.settings import ReliabilityGateSettings, ServiceSettings
from atlas_ci.errors import CheckError
from atlas_ci.settings import GateSettings

LOOPBACK = "127.0.0.1"
_starts = itertools.count(1)


def reliability_gate(settings: GateSettings) -> ReliabilityGateSettings:
    """The gate's own keys; plain GateSettings (no config) get the defaults."""
    if isinstance(settings, ReliabilityGateSettings):
        return settings
    return ReliabilityGateSettings(enabled=settings.enabled)


def report_dir(ctx: CheckContext) -> Path:
    # Never through a symlink planted in the report directory (see reportdir).
    return reportdir.ensure_dir(ctx.project.report_dir, "reliability")


class Outcome(enum.Enum):
    READY = "ready"
    EXITED = "exited"
    TIMEOUT = "timeout"


@dataclass
class Running:
    """One started service process."""

    service: process.Service
    port: int
    settings: ServiceSettings
    bound: bool = False
    stopped_with: int | None = field(default=None)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        return self.service.proc.pid

    @property
    def log_path(self) -> Path:
        return self.service.log_path

    def alive(self) -> bool:
        return self.service.alive()

    def stop(self) -> int:
        """Ask it to stop (configured signal and grace), then SIGKILL the group."""
        if self.stopped_with is None:
            sig = signal.Signals[self.settings.stop_signal]
            self.stopped_with = self.service.stop(sig, self.settings.stop_grace)
            bound_log(self.log_path, self.settings.log_cap)
        return self.stopped_with

    def kill(self) -> int:
        """SIGKILL the whole group at once: a crash, not a stop."""
        if self.stopped_with is None:
            self.stopped_with = self.service.stop(signal.SIGKILL, 5.0)
            bound_log(self.log_path, self.settings.log_cap)
        return self.stopped_with

    def log_tail(self, limit: int = 1500) -> str:
        try:
            data = self.log_path.read_bytes()[-limit:]
        except OSError:
            return ""
        return data.decode("utf-8", errors="replace").strip()

    def wait_ready(self, timeout: float) -> Outcome:
        """Poll the health URL until 2xx, the process exits or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return Outcome.EXITED
            if self._healthy():
                return Outcome.READY
            time.sleep(0.05)
        return Outcome.TIMEOUT

    def _healthy(self) -> bool:
        if not port_open(LOOPBACK, self.port):
            return False
        self.bound = True
        try:
            answer = request(self.base_url, "GET", self.settings.health, timeout=2.0)
        except OSError:
            return False
        return 200 <= answer.status < 300


def bound_log(path: Path, cap: int) -> None:
    """Keep the head and the tail of a log over `cap` bytes, with every secret redacted."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(min(size, cap // 2) if size > cap else size)
            fh.seek(max(len(head), size - cap // 2))
            tail = fh.read() if size > cap else b""
    except OSError:
        return
    dropped = size - len(head) - len(tail)
    marker = f"\n[... {dropped} bytes of log dropped ...]\n".encode() if dropped > 0 else b""
    text = (head + marker + tail).decode("utf-8", errors="replace")
    path.write_text(redact.artifact_text(text), encoding="utf-8")


@dataclass(frozen=True)
class Lifecycle:
    """Starts the configured service for one check, with that check's test flags."""

    ctx: CheckContext
    settings: ServiceSettings
    check: str
    flags: Mapping[str, str] = field(default_factory=dict)

    def launch(self, db: Path | None = None) -> Running:
        """Start it without waiting for health."""
        if not self.settings.argv:
            raise CheckError("no service to start: set [gates.reliability.service] argv")
        port = free_port(LOOPBACK)
        db = db or self.fresh_db()
        values = {"{port}": str(port), "{db}": str(db or "")}
        argv = [_fill(arg, values) for arg in self.settings.argv]
        env = {k: _fill(v, values) for k, v in self.settings.env.items()}
        env.update(CI=os.environ.get("CI") or "true", TESTING="1", **self.flags)
        logs = reportdir.ensure_dir(self.ctx.project.report_dir, "reliability/logs")
        log = logs / f"{self.check}-{next(_starts):03d}.log"
        service = process.start(argv, cwd=self.ctx.root / self.settings.cwd, log_path=log, env=env)
        return Running(service=service, port=port, settings=self.settings)

    def fresh_db(self) -> Path | None:
        """A new, empty database location for this check (the `{db}` placeholder)."""
        if self.settings.database is None:
            return None
        folder = reportdir.ensure_dir(self.ctx.project.report_dir, f"reliability/data/{self.check}")
        if folder.is_dir():
            for old in folder.iterdir():
                if old.is_file() and not old.is_symlink():
                    old.unlink()
        folder.mkdir(parents=True, exist_ok=True)
        return folder / self.settings.database

    def start(self, db: Path | None = None) -> Running:
        """Start it and wait until healthy; an error (with the log's tail) when it never is."""
        running = self.launch(db)
        outcome = running.wait_ready(self.settings.ready_timeout)
        if outcome is Outcome.READY:
            return running
        code = running.stop()
        what = (
            f"exited with status {code}"
            if outcome is Outcome.EXITED
            else f"not healthy at {self.settings.health} within {self.settings.ready_timeout:g} s"
        )
        raise CheckError(f"service {what} before it was ready; log tail:\n{running.log_tail()}")

    @contextlib.contextmanager
    def running(self, db: Path | None = None) -> Iterator[Running]:
        """A started, healthy service that is stopped however the block ends."""
        service = self.start(db)
        try:
            yield service
        finally:
            service.stop()


def _fill(text: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def not_configured(gate: ReliabilityGateSettings) -> str | None:
    """Why a load check cannot run here (nothing to target), or None."""
    if gate.host or gate.service.argv:
        return None
    return "no service configured: set [gates.reliability.service] argv (or host)"


@contextlib.contextmanager
def target(
    ctx: CheckContext, check: str, flags: Mapping[str, str] | None = None
) -> Iterator[tuple[str, Running | None]]:
    """The base URL load goes to: the configured `host`, or a service started for this check."""
    gate = reliability_gate(ctx.gate_settings)
    if gate.host:
        yield gate.host.rstrip("/"), None
        return
    with Lifecycle(ctx, gate.service, check, dict(flags or {})).running() as running:
        yield running.base_url, running
