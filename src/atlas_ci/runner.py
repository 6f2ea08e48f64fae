"""Schedules checks (parallel, exclusive ones alone), isolates failures, never prints."""

from __future__ import annotations

import concurrent.futures as cf
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from atlas_ci import debug, process
from atlas_ci.checks.base import CheckContext, ProjectInfo, result
from atlas_ci.errors import CheckError, ToolNotFoundError
from atlas_ci.model import CheckResult, Status
from atlas_ci.plan import Planned


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
            f"{exc}; install it (pip install {check.tool}) or set `command` for this check",
        )
    except CheckError as exc:
        res = result(check, Status.ERROR, str(exc))
    except Exception as exc:
        tb = "".join(traceback.format_exception(exc)[-6:])
        res = result(check, Status.ERROR, f"check crashed: {exc!r}\n{tb}")
    return res.model_copy(update={"duration": round(time.monotonic() - started, 3)})


def run(
    planned: Sequence[Planned],
    project: ProjectInfo,
    *,
    jobs: int,
    observer: Observer | None = None,
) -> list[CheckResult]:
    """Run every planned check; results come back in plan order."""
    obs = observer or NullObserver()
    done: dict[str, CheckResult] = {}
    try:
        _run_batch(_shared(planned), project, max(1, jobs), obs, done)
        for p in planned:
            if _runs_alone(p):
                _run_batch([p], project, 1, obs, done)
    except KeyboardInterrupt:
        process.begin_shutdown()
        process.kill_all()
        raise Interrupted(_partial(planned, done)) from None
    return [done[p.id] for p in planned]


def _shared(planned: Sequence[Planned]) -> list[Planned]:
    return [p for p in planned if not _runs_alone(p)]


def _partial(planned: Sequence[Planned], done: dict[str, CheckResult]) -> list[CheckResult]:
    """Every result known so far; checks that had not finished are marked as interrupted."""
    return [done.get(p.id) or _interrupted(p) for p in planned]


def _runs_alone(p: Planned) -> bool:
    return p.check.exclusive and p.skip_reason is None


def _interrupted(p: Planned) -> CheckResult:
    return result(p.check, Status.ERROR, "interrupted before it finished")


def _run_batch(
    batch: Sequence[Planned],
    project: ProjectInfo,
    jobs: int,
    obs: Observer,
    done: dict[str, CheckResult],
) -> None:
    if not batch:
        return
    pool = cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="check")
    try:
        futures = {}
        for p in batch:
            futures[pool.submit(_observed, p, project, obs)] = p
        pending = set(futures)
        while pending:
            # A short wait keeps the main thread responsive to SIGINT/SIGTERM.
            finished, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                res = fut.result()
                done[futures[fut].id] = res
                obs.finished(res)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _observed(p: Planned, project: ProjectInfo, obs: Observer) -> CheckResult:
    if p.skip_reason is None:
        obs.started(p.id)
    return run_one(p, project)
