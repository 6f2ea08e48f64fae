"""Schedules checks (parallel, exclusive ones alone), isolates failures, never prints."""

from __future__ import annotations

import concurrent.futures as cf
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from atlas_ci import cache_replay, debug, early, head_start, interrupts, process
from atlas_ci.cache import ResultCache
from atlas_ci.checks.base import CheckContext, ProjectInfo, result
from atlas_ci.errors import AtlasCIError, ToolNotFoundError
from atlas_ci.extras import install_hint, missing_module
from atlas_ci.model import CheckResult, Status
from atlas_ci.plan import Planned

NOT_STARTED = "not started: the run was interrupted first"


class Observer(Protocol):
    def started(self, check: str) -> None: ...
    def finished(self, result: CheckResult) -> None: ...


class NullObserver:
    """Progress goes nowhere unless the CLI plugs in a console."""

    def started(self, check: str) -> None:
        pass

    def finished(self, result: CheckResult) -> None:
        pass


@dataclass
class Interrupted(Exception):
    """Raised after children are killed; carries every result known so far (others marked)."""

    results: list[CheckResult]


class _Stop(Exception):
    """A recorded signal asks the run to stop (see interrupts.py)."""


@dataclass
class _State:
    done: dict[str, CheckResult] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    cache: ResultCache | None = None
    # Called before a check really runs (not when its result comes from the cache).
    on_run: Callable[[], None] = lambda: None
    # Applied to each result in its check's thread as it ends (line hashes: the early checks'
    # are read while the slowest one still runs); a failure leaves the result as it was.
    finish: Callable[[CheckResult], CheckResult] = lambda res: res


def run_one(planned: Planned, project: ProjectInfo) -> CheckResult:
    """Run one check; any failure of the check itself becomes that check's `error`."""
    check = planned.check
    if planned.skip_reason is not None:
        return result(check, Status.SKIPPED, planned.skip_reason)
    ctx = CheckContext(
        project=project, settings=planned.settings, gate_settings=planned.gate_settings
    )
    started = time.monotonic()
    try:
        with debug.capture(planned.id):
            res = check.run(ctx)
    except process.ShuttingDown:
        res = result(check, Status.ERROR, "interrupted")
    except ToolNotFoundError as exc:
        res = result(
            check,
            Status.ERROR,
            f"{exc}; {install_hint(check.tool)} or set `command` for this check",
        )
    except AtlasCIError as exc:
        res = result(check, Status.ERROR, str(exc))
    except ModuleNotFoundError as exc:
        # A module of an extra the user did not install: say which extra (the install story).
        res = result(check, Status.ERROR, missing_module(exc) or _crashed(exc))
    except Exception as exc:
        res = result(check, Status.ERROR, _crashed(exc))
    return res.model_copy(update={"duration": round(time.monotonic() - started, 3)})


def _crashed(exc: Exception) -> str:
    tb = "".join(traceback.format_exception(exc)[-6:])
    return f"check crashed: {exc!r}\n{tb}"


def run(
    planned: Sequence[Planned],
    project: ProjectInfo,
    *,
    jobs: int,
    observer: Observer | None = None,
    cache: ResultCache | None = None,
    on_run: Callable[[], None] | None = None,
    finish: Callable[[CheckResult], CheckResult] | None = None,
) -> list[CheckResult]:
    """Run every planned check; results come back in plan order.

    A signal recorded by interrupts.py (or a KeyboardInterrupt) stops the run: no new check
    starts, every child is killed, and `Interrupted` carries the results known so far.
    """
    obs = observer or NullObserver()
    state = _State(cache=cache, on_run=on_run or (lambda: None), finish=finish or (lambda r: r))
    try:
        _stop_if_requested()
        shared, alone = _split(planned, project)
        _run_batch(shared, project, max(1, jobs), obs, state)
        for p in alone:
            _stop_if_requested()
            _run_batch([p], project, 1, obs, state)
    except (KeyboardInterrupt, _Stop):
        process.begin_shutdown()
        process.kill_all()
        raise Interrupted(_partial(planned, state)) from None
    return [state.done[p.id] for p in planned]


def _stop_if_requested() -> None:
    if interrupts.requested():
        raise _Stop


def _partial(planned: Sequence[Planned], state: _State) -> list[CheckResult]:
    """Every result known so far; a check that began is `interrupted`, one that never did is
    `not started` (with its skip reason if it was never going to run)."""
    with state.lock:
        started = set(state.started)
    out = []
    for p in planned:
        if p.id in state.done:
            out.append(state.done[p.id])
        elif p.skip_reason is not None:
            out.append(result(p.check, Status.SKIPPED, p.skip_reason))
        elif p.id in started:
            out.append(result(p.check, Status.ERROR, "interrupted while running"))
        else:
            out.append(result(p.check, Status.ERROR, NOT_STARTED))
    return out


def _split(planned: Sequence[Planned], project: ProjectInfo) -> tuple[list[Planned], list[Planned]]:
    """(checks that share the machine, checks that run alone afterwards), in plan order."""
    alone = {p.id for p in planned if _runs_alone(p, p.project or project)}
    return [p for p in planned if p.id not in alone], [p for p in planned if p.id in alone]


def _runs_alone(p: Planned, project: ProjectInfo) -> bool:
    """A check may decide from its settings (`runs_alone`): perf.benchmarks needs the machine to
    itself for timings, not for instruction counts, which do not depend on load."""
    if p.skip_reason is not None:
        return False
    decide = getattr(p.check, "runs_alone", None)
    if callable(decide):
        return bool(decide(p.settings, project))
    return p.check.exclusive


def _run_batch(
    batch: Sequence[Planned],
    project: ProjectInfo,
    jobs: int,
    obs: Observer,
    state: _State,
) -> None:
    if not batch:
        return
    pool = cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="check")
    try:
        futures = {}
        for p in batch:
            futures[pool.submit(_observed, p, project, obs, state)] = p
        pending = set(futures)
        while pending:
            # A short wait keeps the main thread polling for a recorded signal.
            finished, pending = cf.wait(pending, timeout=0.1, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                res = fut.result()
                state.done[futures[fut].id] = res
                obs.finished(res)
            _stop_if_requested()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _observed(p: Planned, project: ProjectInfo, obs: Observer, state: _State) -> CheckResult:
    project = p.project or project
    if p.skip_reason is None:
        if interrupts.requested():
            return result(p.check, Status.ERROR, NOT_STARTED)
        with state.lock:
            state.started.add(p.id)
        obs.started(p.id)
    res = _run_cached(p, project, state)
    try:
        return state.finish(res)
    except Exception:  # the caller's own pass over every result tries again
        return res


def _run_cached(p: Planned, project: ProjectInfo, state: _State) -> CheckResult:
    """The cached result when the check's inputs did not change, else a fresh run (staged for
    the cache, which stores it once the run's results are redacted)."""
    cache = state.cache
    if cache is None or not cache.serves(p):
        return _fresh(p, project, state)
    version = p.check.version(project)
    if not cache.holds(p.id):
        # Nothing stored for this check, so no key can hit: it runs while its key completes.
        soon = cache.key_soon(p, project, version)
        return _fresh(p, project, state, soon)
    key = cache.key(p, project, version)
    found = cache.entry(p.id, key) if key is not None else None
    if found is not None and _replayed(p, project, *found):
        return found[0]
    return _fresh(p, project, state, lambda: key)


def _fresh(
    p: Planned,
    project: ProjectInfo,
    state: _State,
    key: Callable[[], str | None] | None = None,
) -> CheckResult:
    """A fresh run; staged for the cache under `key()` (read once the check has run)."""
    if p.skip_reason is None:
        state.on_run()
    if key is None or state.cache is None:
        return run_one(p, project)
    with cache_replay.recording() as notes, early.tracking() as tracked:
        res = run_one(p, project)
    done = key()
    # A program a head start launched before this key's files were read: stored only if none
    # of them changed since the snapshot taken before the launch (head_start.py).
    if tracked.adopted and not state.cache.unchanged_since(p, head_start.current()):
        state.cache.withhold(p.id)
        done = None
    if done is not None:
        state.cache.stage(p.id, done, notes, tracked.launches)
    return res


def _replayed(
    p: Planned, project: ProjectInfo, hit: CheckResult, notes: tuple[cache_replay.Note, ...]
) -> bool:
    """Whether the cached result's secret values are fed to the redaction again; a replay that
    fails (a file gone unreadable) turns the hit into a fresh run."""
    try:
        cache_replay.served(p.check, project.root, hit, notes)
    except Exception:
        return False
    return True
