"""How process.py talks to a running program: its output drained on threads and bounded, its
stdin fed (process.py starts it, waits for it and kills it: the only module using subprocess)."""

from __future__ import annotations

import contextlib
import threading
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from atlas_ci.process import Popen


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

    def __init__(self, proc: Popen, cap: int) -> None:
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


def feed(proc: Popen, stdin_data: bytes | None) -> None:
    if stdin_data is not None and proc.stdin is not None:
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(stdin_data)
            proc.stdin.close()
