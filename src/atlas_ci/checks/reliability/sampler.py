"""Samples a service's memory, open file descriptors and threads every interval (psutil).

The service's whole process tree is summed: a start command may be a wrapper (a shell, a
supervisor, a pre-fork server) whose children do the work.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal

import psutil


@dataclass(frozen=True)
class Sample:
    t: float  # seconds since sampling began
    memory_mb: float
    fds: int
    threads: int


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def measure(pid: int, memory: Literal["uss", "rss"]) -> tuple[float, int, int]:
    """(memory in MB, fds, threads) of the process tree rooted at `pid`."""
    mem = fds = threads = 0
    for proc in _tree(pid):
        try:
            with proc.oneshot():
                if memory == "uss":
                    mem += proc.memory_full_info().uss
                else:
                    mem += proc.memory_info().rss
                fds += proc.num_fds()
                threads += proc.num_threads()
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue  # a child that just exited no longer holds anything
    return mem / (1024 * 1024), fds, threads


class Sampler:
    """A background thread collecting Samples until `stop()`; notes when the service vanished."""

    def __init__(self, pid: int, interval: float, memory: Literal["uss", "rss"]) -> None:
        self.pid, self.interval, self.memory = pid, interval, memory
        self.samples: list[Sample] = []
        self.problem: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="endurance-sampler", daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join(timeout=10)
        return self.samples

    def _loop(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            try:
                mem, fds, threads = measure(self.pid, self.memory)
            except psutil.NoSuchProcess:
                self.problem = "the service exited during the run"
                return
            except psutil.AccessDenied as exc:
                self.problem = f"cannot read the service's process: {exc}"
                return
            self.samples.append(Sample(round(time.monotonic() - started, 3), mem, fds, threads))
            self._stop.wait(self.interval)
