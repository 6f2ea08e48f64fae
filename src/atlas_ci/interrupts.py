"""SIGINT and SIGTERM at any moment: recorded, never raised mid-statement, and the run ends 130.

A gate run must end with complete reports whatever the moment a signal lands (during imports,
between two checks, while the reports are renamed into place) and whatever number of signals
arrives. An exception raised from a signal handler can surface in any statement, including a
`finally` that cleans up; so during a run a signal only sets a flag. The runner polls it between
checks and stops them; the pipeline marks the report interrupted and exit code 130 follows.
Short commands (`list`, `doctor`, `config ...`) have nothing to save: there a signal raises
`Stop`, which the entry point turns into exit 130 without a traceback.

Imported first by the entry point, so it imports nothing but `signal` (start-up time).
"""

from __future__ import annotations

import signal

# Not `typing.TYPE_CHECKING`: importing typing alone costs start-up time (mypy knows the idiom).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType, TracebackType
    from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)
EXIT_CODE = 130

# Appends are atomic under the GIL; the handler runs in the main thread, readers anywhere.
_received: list[int] = []
_raising = [False]


class Stop(BaseException):
    """Raised by the handler where there is no report to finish; `except Exception` misses it."""


def _record(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    if _raising[0]:
        _raising[0] = False  # once: a second signal must not interrupt the clean-up
        raise Stop


def requested() -> bool:
    """True once any SIGINT or SIGTERM arrived in this run."""
    return bool(_received)


def received() -> list[int]:
    return list(_received)


def install() -> None:
    """Record signals from now on (main thread only: Python runs handlers there)."""
    for sig in SIGNALS:
        signal.signal(sig, _record)


def ignore() -> None:
    """From now on SIGINT and SIGTERM do nothing (the run is over, its exit code decided)."""
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def raising() -> None:
    """For commands with nothing to finish: a signal (or one already received) raises `Stop`."""
    if requested():
        raise Stop
    _raising[0] = True


def reset() -> None:
    """Forget received signals (a new run inside the same process, e.g. a test)."""
    _received.clear()
    _raising[0] = False


class deferred:  # used like a function: `with interrupts.deferred():`
    """Within: signals are recorded, not raised; the outermost use restores the old handlers."""

    def __enter__(self) -> None:
        import threading

        self._previous: dict[int, Any] = {}
        self._was_raising = _raising[0]
        if threading.current_thread() is not threading.main_thread():
            return
        self._previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
        _raising[0] = False
        install()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _raising[0] = self._was_raising
        if any(handler is not _record for handler in self._previous.values()):
            for sig, handler in self._previous.items():
                signal.signal(sig, handler)
            reset()
