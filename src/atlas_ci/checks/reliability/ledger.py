"""The ledger of acknowledged writes: each 2xx answer is appended (and flushed) before the next.

A write counts as acknowledged only once the service said so; a write cut off by a kill is
simply not in the ledger. After every restart each ledger entry must read back.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from atlas_ci.checks.reliability.http import request
from atlas_ci.checks.reliability.settings import RecoverySettings, RequestTemplate


@dataclass(frozen=True)
class Entry:
    n: int
    token: str
    id: str


class Ledger:
    """Append-only JSON lines on disk, and the same entries in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
        self.entries: list[Entry] = []
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)

    def next_token(self) -> tuple[int, str]:
        n = next(self._numbers)
        return n, f"ledger-{n}-{uuid.uuid4().hex[:12]}"

    def append(self, entry: Entry) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(entry)) + "\n")
            self.entries.append(entry)


def _fill(template: RequestTemplate, token: str, record_id: str = "") -> tuple[str, bytes | None]:
    path = template.path.replace("{token}", token).replace("{id}", record_id)
    body = template.body.replace("{token}", token) if template.body is not None else None
    return path, body.encode() if body is not None else None


def write_once(base_url: str, s: RecoverySettings, ledger: Ledger) -> bool:
    """One write; True when acknowledged (and recorded). Raises OSError when no answer came."""
    n, token = ledger.next_token()
    path, body = _fill(s.write, token)
    answer = request(base_url, s.write.method, path, body=body, content_type=s.write.content_type)
    if not 200 <= answer.status < 300:
        return False
    try:
        record_id = str(json.loads(answer.body)[s.id_field])
    except (ValueError, KeyError, TypeError):
        record_id = ""  # acknowledged, but without an id it can only fail to read back
    ledger.append(Entry(n, token, record_id))
    return True


def reads_back(base_url: str, s: RecoverySettings, entry: Entry) -> bool:
    """The record answers 2xx and carries its write's token."""
    path, body = _fill(s.read, entry.token, entry.id)
    try:
        answer = request(base_url, s.read.method, path, body=body, timeout=10.0)
    except OSError:
        return False
    return 200 <= answer.status < 300 and entry.token.encode() in answer.body


class Writer:
    """Writes in a loop on a thread until stopped or the service stops answering."""

    def __init__(self, base_url: str, s: RecoverySettings, ledger: Ledger) -> None:
        self.base_url, self.s, self.ledger = base_url, s, ledger
        self.acknowledged = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="recovery-writer", daemon=True)

    def start(self) -> Writer:
        self._thread.start()
        return self

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=15)
        return self.acknowledged

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if write_once(self.base_url, self.s, self.ledger):
                    self.acknowledged += 1
            except OSError:
                return  # killed under us: what was acknowledged is in the ledger
