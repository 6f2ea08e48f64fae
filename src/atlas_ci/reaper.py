"""Every descendant of a program atlas-ci started, found and killed: `setsid` and double forks too.

A process group kill misses a grandchild that called `setsid()` (new session, new group) or that
was double-forked away from its parent. Two things catch those:

- atlas-ci makes itself a *child subreaper* (Linux `prctl(PR_SET_CHILD_SUBREAPER)`), so an
  orphaned descendant is re-parented to atlas-ci instead of init, and stays in our process tree;
- every program started through `process.py` carries a tag in its environment (`TAG_ENV`, one
  value per start), which its descendants inherit. After the group kill, the live descendants
  of atlas-ci holding that tag are terminated, then killed, and reaped.

The process group itself is stopped here too (`kill_group`: SIGTERM, a grace, SIGKILL).

Only processes with the run's own tag are touched, so checks running in parallel never kill
each other's programs. Where the subreaper is unavailable (not Linux), orphans are looked for
among all of the user's processes instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from functools import cache
from typing import TYPE_CHECKING

# psutil is imported where a function needs it: process.py (and so this module) is loaded by the
# instant replay, which starts git only and never reaps.
if TYPE_CHECKING:
    import psutil

    from atlas_ci.process import Popen

TAG_ENV = "ATLAS_CI_PROCESS_TAG"
# Time a process group gets between SIGTERM and SIGKILL.
TERMINATE_GRACE = 3.0
PR_SET_CHILD_SUBREAPER = 36


def new_tag() -> str:
    return os.urandom(16).hex()  # uuid's import costs the replay's start-up 3 ms


@cache
def become_subreaper() -> bool:
    """Make atlas-ci the subreaper of its descendants (once); False where the OS has no such."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def tagged(tag: str) -> list[psutil.Process]:
    """Live processes carrying `tag`: descendants of atlas-ci (or, without a subreaper, any)."""
    import psutil

    found = []
    for proc in _candidates():
        with contextlib.suppress(psutil.Error):
            if proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get(TAG_ENV) == tag:
                found.append(proc)
    return found


def _candidates() -> list[psutil.Process]:
    import psutil

    try:
        if become_subreaper():
            return psutil.Process(os.getpid()).children(recursive=True)
        me = os.getuid()
        return [p for p in psutil.process_iter() if _owned_by(p, me) and p.pid != os.getpid()]
    except psutil.Error:
        return []


def _owned_by(proc: psutil.Process, uid: int) -> bool:
    import psutil

    try:
        return bool(proc.uids().real == uid)
    except psutil.Error:
        return False


def kill_tagged(tag: str, grace: float = 1.0) -> int:
    """SIGTERM every process holding `tag`, SIGKILL what is left after `grace`; reap them all.

    Repeated until none is found, since a dying process may still fork. Returns how many.
    """
    import psutil

    total = 0
    for _ in range(5):
        procs = tagged(tag)
        if not procs:
            break
        total += len(procs)
        _signal_all(procs, kill=False)
        _, alive = psutil.wait_procs(procs, timeout=grace)
        _signal_all(alive, kill=True)
        psutil.wait_procs(alive, timeout=grace)
    return total


def _signal_all(procs: list[psutil.Process], *, kill: bool) -> None:
    import psutil

    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill() if kill else proc.terminate()


def reap_group(pgid: int, keep: int) -> None:
    """Reap our zombie children of process group `pgid` (orphans re-parented to us).

    Without this a dead grandchild stays a zombie of atlas-ci, and its group looks alive.
    `keep` is the group leader, which its Popen object waits for itself.
    """
    import psutil

    try:
        children = psutil.Process(os.getpid()).children()
    except psutil.Error:
        return
    for child in children:
        if child.pid == keep:
            continue
        with contextlib.suppress(psutil.Error, OSError):
            if child.status() == psutil.STATUS_ZOMBIE and os.getpgid(child.pid) == pgid:
                os.waitpid(child.pid, os.WNOHANG)


def kill_group(proc: Popen, grace: float = TERMINATE_GRACE) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left once `grace` has passed."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            reap_group(proc.pid, keep=proc.pid)
            if not group_alive(proc.pid):
                return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
