"""timer = "instructions" on real git repositories: pytest-codspeed under valgrind's callgrind.

Instruction counts do not depend on the machine's load, so these tests assert exact outcomes:
an identical head passes, 5% more work fails, 2% more work is reported with its exact ratio.
The default run measures each once; the 10x repeats of the acceptance are `slow`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from atlas_ci.model import CheckResult, Status

from .conftest import (
    COUNTED,
    COUNTED_BENCHMARKS,
    FIVE_PERCENT,
    TWO_PERCENT,
    RunCheck,
    make_repo,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed"),
]

BENCH = "benchmarks/test_counted.py"
REPEATS = 10


def counted_repo(root: Path, changes: dict[str, str] | None = None) -> Path:
    return make_repo(root, changes, bench_files=COUNTED_BENCHMARKS, package=COUNTED)


def run(run_benchmarks: RunCheck, root: Path) -> CheckResult:
    return run_benchmarks(root, bench="test_counted.py", timer="instructions")


def metric(r: CheckResult, name: str) -> float:
    return {m.name: m.value for m in r.metrics}[f"{BENCH}::{name}"]


def test_each_benchmark_gets_the_verdict_its_instruction_count_gives(
    tmp_path: Path, run_benchmarks: RunCheck
) -> None:
    root = counted_repo(tmp_path / "repo", {**FIVE_PERCENT, **TWO_PERCENT})
    r = run(run_benchmarks, root)
    assert r.status == Status.FAILED, r.reason
    assert r.tool_version is not None
    assert "valgrind" in r.tool_version
    assert "measured by instruction counts (valgrind" in r.reason
    # Unchanged: the same count to within a few instructions in a few million.
    same = metric(r, "test_same.ratio")
    assert abs(same - 1) < 1e-4, r.reason
    assert f"{BENCH}::test_same: ok: " in r.reason
    # 5% more steps: a regression, located, with both counts and the ratio in the message.
    blocking = {f.message.split(" ")[0]: f for f in r.findings if f.blocking}
    assert set(blocking) <= {f"{BENCH}::test_more5", f"{BENCH}::test_more2"}, r.reason
    finding = blocking[f"{BENCH}::test_more5"]
    assert finding.rule_id == "perf-regression"
    assert finding.message.startswith(f"{BENCH}::test_more5 regressed")
    assert finding.location is not None
    assert (finding.location.path, finding.location.start_line) == (BENCH, 11)
    assert re.search(
        r"ratio 1\.0[45]\d{3}: base [\d,]+, head [\d,]+ instructions per call", finding.message
    ), finding.message
    # 2% more steps: the exact ratio of the two counts, to five places, whichever side of 1.02.
    head = metric(r, "test_more2.head_instructions")
    base = metric(r, "test_more2.base_instructions")
    assert 1.015 < head / base < 1.025
    assert f"ratio {head / base:.5f}: base {base:,.0f}, head {head:,.0f}" in r.reason
    outcome = "regressed" if head / base > 1.02 else "ok"
    assert f"{BENCH}::test_more2: {outcome}: " in r.reason


@pytest.mark.slow
@pytest.mark.timeout(7200)  # ten gate runs; the suite's 900 s is for one
def test_identical_head_passes_ten_times_in_ten(tmp_path: Path, run_benchmarks: RunCheck) -> None:
    root = counted_repo(tmp_path / "repo")
    results = [run(run_benchmarks, root) for _ in range(REPEATS)]
    assert [r.status for r in results] == [Status.PASSED] * REPEATS, [r.reason for r in results]


@pytest.mark.slow
@pytest.mark.timeout(7200)  # ten gate runs; the suite's 900 s is for one
def test_five_percent_more_work_fails_ten_times_in_ten(
    tmp_path: Path, run_benchmarks: RunCheck
) -> None:
    root = counted_repo(tmp_path / "repo", FIVE_PERCENT)
    results = [run(run_benchmarks, root) for _ in range(REPEATS)]
    assert [r.status for r in results] == [Status.FAILED] * REPEATS, [r.reason for r in results]
    ratios = {metric(r, "test_more5.ratio") for r in results}
    assert len(ratios) == 1, ratios  # the same figure every time, whatever the load
