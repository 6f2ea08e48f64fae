"""Which checks the runner runs alone: exclusive ones, or those whose `runs_alone` says so."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from atlas_ci import runner
from atlas_ci.checks.base import ProjectInfo, result
from atlas_ci.checks.perf import benchmarks as bench_module
from atlas_ci.checks.perf.benchmarks import Benchmarks
from atlas_ci.checks.perf.memory import Memory
from atlas_ci.checks.perf.settings import BenchmarkSettings
from atlas_ci.model import CheckResult, Status
from atlas_ci.plan import Planned
from atlas_ci.settings import CheckSettings, GateSettings


@dataclass
class _Clock:
    """Records which checks were running at once."""

    running: set[str] = field(default_factory=set)
    overlaps: list[frozenset[str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class _Probe:
    name: str
    clock: _Clock
    exclusive: bool = False
    alone: bool | None = None
    gate: str = "t"
    tool: str = "probe"
    settings_model: type[CheckSettings] = CheckSettings

    def version(self, project: object) -> None:
        return None

    def runs_alone(self, settings: object, project: object) -> bool:
        if self.alone is None:
            return self.exclusive
        return self.alone

    def run(self, ctx: object) -> CheckResult:
        with self.clock.lock:
            self.clock.running.add(self.name)
            self.clock.overlaps.append(frozenset(self.clock.running))
        # Long enough that two shared checks, started together, are seen running at once.
        time.sleep(0.3)
        with self.clock.lock:
            self.clock.running.discard(self.name)
        return result(self, Status.PASSED, "ok")  # type: ignore[arg-type]


def _run(probes: list[_Probe]) -> list[frozenset[str]]:
    planned = [Planned(p, CheckSettings(), GateSettings()) for p in probes]  # type: ignore[arg-type]
    project = ProjectInfo.__new__(ProjectInfo)
    object.__setattr__(project, "root", Path("."))
    results = runner.run(planned, project, jobs=4)
    assert [r.status for r in results] == [Status.PASSED] * len(probes)
    return probes[0].clock.overlaps


def test_an_exclusive_check_never_overlaps_another() -> None:
    clock = _Clock()
    seen = _run([_Probe("a", clock), _Probe("timing", clock, exclusive=True), _Probe("b", clock)])
    assert frozenset({"a", "b"}) in seen  # the shared ones ran together...
    assert all(s == {"timing"} for s in seen if "timing" in s)  # ...the exclusive one alone


def test_runs_alone_overrides_the_class_flag() -> None:
    clock = _Clock()
    seen = _run([_Probe("a", clock), _Probe("counts", clock, exclusive=True, alone=False)])
    assert frozenset({"a", "counts"}) in seen


def test_benchmarks_run_alone_only_for_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    project = ProjectInfo.__new__(ProjectInfo)
    check = Benchmarks()
    monkeypatch.setattr(bench_module, "valgrind_version", lambda _v: "3.19.0")
    monkeypatch.setattr(bench_module, "codspeed_version", lambda _p: "3.2.0")
    for timer, alone in (("cpu", True), ("wall", True), ("instructions", False), ("auto", False)):
        assert check.runs_alone(BenchmarkSettings(timer=timer), project) is alone, timer
    # "auto" without valgrind falls back on the cpu timer, which needs the machine to itself.
    monkeypatch.setattr(bench_module, "valgrind_version", lambda _v: None)
    assert check.runs_alone(BenchmarkSettings(timer="auto"), project) is True


def test_traced_memory_shares_the_machine() -> None:
    # tracemalloc's byte counts do not depend on load.
    assert Memory.exclusive is False
