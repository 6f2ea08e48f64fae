"""Programs started before their check asks for them, held until the check claims them.

head_start.py decides what to start (the launches a check made in the last run of the same
command) and starts it through `launch` before atlas-ci's own start-up is done. A check then
asks for its program as always, through `process.run(..., early=SLOT)`; `claim` hands over the
held program only when it is exactly the one asked for: the same argv, working directory,
environment and output cap, no stdin. Anything else, and the held program is killed (its tree
reaped, as process.py kills any) before the check starts its own, so two copies of a tool never
write the same cache or result file at once. Whatever no check claimed is killed by `discard`
at the end of the run; an interrupt kills held programs with every other child (they are in
process.py's list of live children from their start).

`tracking` lets the runner learn, per check, which slotted programs it ran (recorded for the
next head start) and whether any of them was adopted (then its result is stored in the result
cache only if no input changed since the head start's snapshot: runner.py, cache.py).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from atlas_ci import process, process_io, reaper
from atlas_ci.errors import ToolNotFoundError


class Held(NamedTuple):
    """A program started ahead of its check."""

    proc: process.Popen
    tag: str
    capture: process_io.Capture
    argv: tuple[str, ...]
    cwd: str
    env: dict[str, str]
    started: float


class Launch(NamedTuple):
    """A slotted program a check ran: what the next head start may start."""

    slot: str
    argv: tuple[str, ...]
    cwd: str
    took: float = 0.0  # seconds it ran, to start the longest first


class Tracker:
    """What one check's slotted programs were (`launches`) and whether one was `adopted`."""

    def __init__(self) -> None:
        self.launches: list[Launch] = []
        self.adopted = False


_lock = threading.Lock()
_held: dict[str, Held] = {}
_tracker: contextvars.ContextVar[Tracker | None] = contextvars.ContextVar(
    "atlas_ci_early_tracker", default=None
)


def launch(slot: str, argv: Sequence[str], cwd: str) -> bool:
    """Start `argv` (resolved: an absolute program path) for `slot`; False if it cannot start."""
    if process.shutting_down() or not os.path.isabs(argv[0]):
        return False
    env = dict(os.environ)
    tag = reaper.new_tag()
    try:
        proc = process.spawn(list(argv), Path(cwd), None, tag, piped_stdin=False)
    except (ToolNotFoundError, OSError):
        return False
    held = Held(
        proc=proc,
        tag=tag,
        capture=process_io.Capture(proc, process.DEFAULT_OUTPUT_CAP),
        argv=tuple(argv),
        cwd=cwd,
        env=env,
        started=time.monotonic(),
    )
    with _lock:
        earlier = _held.pop(slot, None)
        _held[slot] = held
    if earlier is not None:
        _stop(earlier)
    return True


def claim(
    slot: str,
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None,
    *,
    output_cap: int,
    stdin: bool,
) -> Held | None:
    """The program held for `slot` if it is exactly this one (then the caller owns it); else
    None, any held program of the slot killed and reaped first."""
    with _lock:
        held = _held.pop(slot, None)
    if held is None:
        return None
    same = (
        held.argv == tuple(argv)
        and held.cwd == str(cwd)
        and held.env == {**os.environ, **(env or {})}
        and output_cap == process.DEFAULT_OUTPUT_CAP
        and not stdin
    )
    if same:
        return held
    _stop(held)
    return None


def ran(
    slot: str, argv: Sequence[str], cwd: Path, *, took: float, adopted: bool, plain: bool
) -> None:
    """Tell the check's tracker that it ran `argv` in `slot` for `took` seconds (`plain`: no
    env, no stdin, so a head start can start it the same way)."""
    tracker = _tracker.get()
    if tracker is None:
        return
    if plain:
        tracker.launches.append(Launch(slot, tuple(argv), str(cwd), took))
    tracker.adopted = tracker.adopted or adopted


@contextlib.contextmanager
def tracking() -> Iterator[Tracker]:
    """Track the slotted programs run inside (threads started with a copy of this context too)."""
    tracker = Tracker()
    token = _tracker.set(tracker)
    try:
        yield tracker
    finally:
        _tracker.reset(token)


def pending() -> list[str]:
    """The slots of programs held and not claimed yet."""
    with _lock:
        return sorted(_held)


def discard() -> None:
    """Kill every program no check claimed (at the end of a run, or when it stops early)."""
    with _lock:
        left = list(_held.values())
        _held.clear()
    for held in left:
        _stop(held)


def _stop(held: Held) -> None:
    process.kill_tree(held.proc, held.tag, grace=1.0)
    held.proc.wait()
    held.capture.join()
    process.forget(held.proc)
