"""The smoke probe's HTTP client: one request, its status, headers, body and time (stdlib)."""

from __future__ import annotations

import http.client
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_BODY = 8 * 1024 * 1024


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes = b""
    elapsed: float = 0.0


class NoAnswer(Exception):
    """Refused, reset, timed out or not HTTP: the service did not answer."""


def get(
    base_url: str, path: str, *, timeout: float, headers: Mapping[str, str] | None = None
) -> Reply:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NoAnswer(f"not an http(s) URL: {base_url}")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.hostname, parts.port, timeout=timeout)
    started = time.monotonic()
    prefix = parts.path.rstrip("/")
    try:
        conn.request("GET", prefix + path, headers=dict(headers or {}))
        resp = conn.getresponse()
        body = resp.read(MAX_BODY)
        return Reply(
            resp.status,
            {k.lower(): v for k, v in resp.getheaders()},
            body,
            time.monotonic() - started,
        )
    except (OSError, http.client.HTTPException) as exc:
        raise NoAnswer(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc
    finally:
        conn.close()
