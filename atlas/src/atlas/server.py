"""Process start-up: data directory, integrity check, uvicorn, graceful shutdown.

Order matters: the database is opened and checked *before* any socket is bound, so a
service with a damaged database never accepts a connection it cannot serve; it logs why
and exits with EXIT_CORRUPT, which systemd records as a failure.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import uvicorn

from atlas import __version__
from atlas.app import DEFAULT_MAX_BODY_BYTES, create_app
from atlas.metrics import Metrics
from atlas.protocol import DEFAULT_HEADER_TIMEOUT, with_header_timeout
from atlas.storage import DatabaseCorruptError, Storage

EXIT_OK = 0
EXIT_CORRUPT = 3
EXIT_DB_UNAVAILABLE = 4

DB_FILENAME = "atlas.db"

log = logging.getLogger("atlas.server")


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    """Return where the database lives when --db is not given.

    $STATE_DIRECTORY is set by systemd's StateDirectory= (a colon-separated list when
    several are configured; Atlas uses the first). Otherwise follow the XDG base
    directory spec: $XDG_DATA_HOME/atlas, defaulting to ~/.local/share/atlas.
    """
    env = os.environ if env is None else env
    state = env.get("STATE_DIRECTORY", "")
    if state:
        return Path(state.split(":")[0])
    xdg = env.get("XDG_DATA_HOME", "")
    # The XDG spec says relative values are invalid and must be ignored.
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "atlas"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "share" / "atlas"


def default_db_path(env: Mapping[str, str] | None = None) -> Path:
    """Return the default database file path."""
    return default_data_dir(env) / DB_FILENAME


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Everything `atlas serve` can be told."""

    host: str = "127.0.0.1"
    port: int = 8080
    db_path: Path | None = None
    log_level: str = "info"
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # Below systemd's default TimeoutStopSec (90 s), so uvicorn gives up on stuck
    # clients and exits on its own before systemd has to SIGKILL it.
    graceful_timeout_s: float = 30.0
    # Request headers must be complete this many seconds after a connection opens.
    header_timeout_s: float = DEFAULT_HEADER_TIMEOUT


class _StopSignalHandler:
    """SIGTERM/SIGINT handling outside the window in which uvicorn handles them.

    Before uvicorn starts, a stop request simply ends the process with status 0. While
    it runs, uvicorn installs its own handler and drains in-flight requests; after
    draining it re-raises the signal it caught so that the default action (death by
    SIGTERM) happens. Atlas catches that re-raised signal here instead, so a requested,
    graceful stop ends with exit status 0 as systemd and operators expect.
    """

    def __init__(self) -> None:
        self.server: uvicorn.Server | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.server is None:
            log.info("stop_requested_before_start", extra={"signal": signal.Signals(signum).name})
            raise SystemExit(EXIT_OK)
        # Covers both a signal racing uvicorn's own handler installation and uvicorn's
        # re-raise after shutdown: either way, ask the server to (keep) stopping.
        self.server.should_exit = True


def open_checked(db_path: Path, metrics: Metrics) -> Storage | int:
    """Open the database, returning Storage, or an exit status after logging why not."""
    started = time.perf_counter()
    try:
        storage = Storage.open(db_path, observer=metrics.observe_db)
    except DatabaseCorruptError as exc:
        log.error(
            "database_corrupt",
            extra={"db": str(db_path), "reason": str(exc), "action": "refusing to serve"},
        )
        return EXIT_CORRUPT
    except (sqlite3.Error, OSError) as exc:
        log.error(
            "database_unavailable",
            extra={"db": str(db_path), "reason": str(exc), "action": "refusing to serve"},
        )
        return EXIT_DB_UNAVAILABLE
    log.info(
        "database_ok",
        extra={
            "db": str(db_path),
            "integrity_check": "ok",
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        },
    )
    return storage


def serve(options: ServeOptions) -> int:
    """Run the service until it is told to stop; return the process exit status."""
    handler = _StopSignalHandler()
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        db_path = options.db_path or default_db_path()
        log.info(
            "starting",
            extra={
                "version": __version__,
                "pid": os.getpid(),
                "db": str(db_path),
                "host": options.host,
                "port": options.port,
            },
        )
        metrics = Metrics()
        opened = open_checked(db_path, metrics)
        if isinstance(opened, int):
            return opened
        storage = opened
        try:
            app = create_app(storage, metrics, max_body_bytes=options.max_body_bytes)
            config = uvicorn.Config(
                app,
                host=options.host,
                port=options.port,
                # Atlas configured logging already (JSON); stop uvicorn from replacing it.
                log_config=None,
                log_level=options.log_level,
                # Atlas logs each request itself, as JSON with route and duration.
                access_log=False,
                lifespan="off",
                server_header=False,
                proxy_headers=False,
                timeout_graceful_shutdown=int(options.graceful_timeout_s),
                http=with_header_timeout(options.header_timeout_s),
            )
            server = uvicorn.Server(config)
            handler.server = server
            server.run()
            if not server.started:
                return 1
        finally:
            storage.close()
        log.info("stopped", extra={"exit_status": EXIT_OK})
        return EXIT_OK
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def check(db_path: Path | None) -> int:
    """Run the full integrity check offline; 0 when sound, EXIT_CORRUPT when not."""
    path = db_path or default_db_path()
    metrics = Metrics()
    opened = open_checked(path, metrics)
    if isinstance(opened, int):
        return opened
    try:
        messages = opened.integrity_check()
    finally:
        opened.close()
    if messages != ["ok"]:
        log.error("integrity_check_failed", extra={"db": str(path), "messages": messages[:20]})
        return EXIT_CORRUPT
    log.info("integrity_check_ok", extra={"db": str(path)})
    return EXIT_OK
