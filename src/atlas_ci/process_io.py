"""How process.py talks to a running program: its output drained on threads and bounded, its
stdin fed, its end awaited with a timeout (process.py decides what runs, and kills it)."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from typing import IO


def _reader(stream: IO[bytes], sink: bytearray, cap: int, overflow: list[bool]) -> None:
    # Keep reading past the cap so the child never blocks on a full pipe; drop the excess.
    # The stream is unbuffered: read() returns what is there, so nothing waits in a buffer.
    while chunk := stream.read(65536):
        room = cap - len(sink)
        if room > 0:
            sink.extend(chunk[:room])
        if len(chunk) > room:
            overflow[0] = True
    stream.close()


class Capture:
    """Drains stdout and stderr on threads, keeping at most `cap` bytes of each."""

    def __init__(self, proc: subprocess.Popen[bytes], cap: int) -> None:
        self.out, self.err = bytearray(), bytearray()
        self.overflow = [False]
        streams = [(proc.stdout, self.out), (proc.stderr, self.err)]
        self.threads = [
            threading.Thread(target=_reader, args=(stream, sink, cap, self.overflow), daemon=True)
            for stream, sink in streams
            if stream is not None
        ]
        for t in self.threads:
            t.start()

    def join(self) -> None:
        for t in self.threads:
            t.join(timeout=5)


def feed(proc: subprocess.Popen[bytes], stdin_data: bytes | None) -> None:
    if stdin_data is not None and proc.stdin is not None:
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(stdin_data)
            proc.stdin.close()


def wait(proc: subprocess.Popen[bytes], timeout: float, overflow: list[bool] | None) -> bool:
    """Wait for the program; True when the timeout expired first. Returns early on overflow.
    A program that has ended is never timed out, however little time is left (one started
    ahead of its check may have ended before the check asked for it)."""
    deadline = time.monotonic() + timeout
    while overflow is None or not overflow[0]:
        remaining = deadline - time.monotonic()
        try:
            proc.wait(timeout=max(0.0, remaining if overflow is None else min(remaining, 0.1)))
            return False
        except subprocess.TimeoutExpired:
            if remaining <= 0:
                return True
    return False
