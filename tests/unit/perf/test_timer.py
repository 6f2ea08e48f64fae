"""Which timer a run uses, and what `doctor` shows of the instruction counter's tools."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from atlas_ci.checks.base import ProjectInfo
from atlas_ci.checks.perf.benchmarks import Benchmarks
from atlas_ci.checks.perf.settings import BenchmarkSettings
from atlas_ci.checks.perf.timer import resolve, valgrind_version
from atlas_ci.errors import CheckError

pytestmark = pytest.mark.unit

MISSING = "no-such-valgrind-for-atlas-ci"


def project(tmp_path: Path) -> ProjectInfo:
    return ProjectInfo(
        root=tmp_path, paths=(), exclude=(), python=sys.executable, report_dir=tmp_path / "r"
    )


def test_auto_falls_back_on_the_cpu_timer_and_says_why(tmp_path: Path) -> None:
    timer = resolve(project(tmp_path), BenchmarkSettings(valgrind=MISSING), "5.3")
    assert timer.name == "cpu"
    assert "instruction counts unavailable (install valgrind" in timer.method
    assert timer.version == "5.3"


def test_instructions_asked_for_but_impossible_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(
        CheckError, match="timer = 'instructions' cannot run here: install valgrind"
    ):
        resolve(project(tmp_path), BenchmarkSettings(valgrind=MISSING, timer="instructions"), None)


def test_a_timer_asked_for_is_used_as_is(tmp_path: Path) -> None:
    timer = resolve(project(tmp_path), BenchmarkSettings(timer="wall"), "5.3")
    assert (timer.name, timer.valgrind) == ("wall", None)
    assert "time.perf_counter" in timer.method


def test_doctor_lists_valgrind_as_optional_unless_instructions_are_required(tmp_path: Path) -> None:
    check, p = Benchmarks(), project(tmp_path)
    assert check.companions(p, BenchmarkSettings(timer="cpu")) == []
    auto = dict(check.companions(p, BenchmarkSettings(valgrind=MISSING)))
    assert auto["valgrind"] == "not installed: perf uses the cpu timer"  # not a doctor problem
    required = dict(check.companions(p, BenchmarkSettings(valgrind=MISSING, timer="instructions")))
    assert required["valgrind"] is None  # doctor: a problem


@pytest.mark.skipif(valgrind_version("valgrind") is None, reason="valgrind is not installed")
def test_where_valgrind_and_pytest_codspeed_are_auto_counts_instructions(tmp_path: Path) -> None:
    timer = resolve(project(tmp_path), BenchmarkSettings(), None)
    assert timer.name == "instructions"
    assert timer.valgrind is not None
    assert timer.method.startswith(f"instruction counts (valgrind {timer.valgrind} callgrind")
