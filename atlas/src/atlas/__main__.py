"""Command line: ``atlas serve`` runs the service, ``atlas check`` verifies a database."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from atlas import __version__
from atlas.app import DEFAULT_MAX_BODY_BYTES
from atlas.logs import configure_logging
from atlas.protocol import DEFAULT_HEADER_TIMEOUT
from atlas.server import ServeOptions, check, default_db_path, serve


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {port}")
    return port


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for the ``atlas`` command."""
    parser = argparse.ArgumentParser(
        prog="atlas", description="Atlas: a registry of named places over JSON/HTTP."
    )
    parser.add_argument("--version", action="version", version=f"atlas {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    db_help = f"SQLite database file (default: {default_db_path()})"
    log_levels = ["debug", "info", "warning", "error"]

    srv = sub.add_parser("serve", help="run the HTTP service")
    srv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    srv.add_argument("--port", type=_port, default=8080, help="TCP port (default 8080)")
    srv.add_argument("--db", type=Path, default=None, help=db_help)
    srv.add_argument("--log-level", choices=log_levels, default="info")
    srv.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        default=DEFAULT_MAX_BODY_BYTES,
        help=f"largest accepted request body (default {DEFAULT_MAX_BODY_BYTES})",
    )
    srv.add_argument(
        "--graceful-timeout",
        type=float,
        default=30.0,
        help="seconds to wait for in-flight requests on SIGTERM (default 30)",
    )

    srv.add_argument(
        "--header-timeout",
        type=float,
        default=DEFAULT_HEADER_TIMEOUT,
        help="seconds a client gets to send complete request headers "
        f"(default {DEFAULT_HEADER_TIMEOUT:g})",
    )

    chk = sub.add_parser("check", help="run PRAGMA integrity_check on the database and exit")
    chk.add_argument("--db", type=Path, default=None, help=db_help)
    chk.add_argument("--log-level", choices=log_levels, default="info")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``atlas`` console script and ``python -m atlas``."""
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level)
    if args.command == "check":
        return check(args.db)
    return serve(
        ServeOptions(
            host=args.host,
            port=args.port,
            db_path=args.db,
            log_level=args.log_level,
            max_body_bytes=args.max_body_bytes,
            graceful_timeout_s=args.graceful_timeout,
            header_timeout_s=args.header_timeout,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
