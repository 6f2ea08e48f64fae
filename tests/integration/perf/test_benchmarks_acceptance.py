"""perf.benchmarks on real git repositories and real pytest-benchmark runs: quiet when nothing
changed, loud when something did, never silent about what it could not judge."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Status

from .conftest import BENCHMARKS, RunCheck, git, make_repo

pytestmark = pytest.mark.integration

REPEATS = 5


def _repeat(run: RunCheck, root: Path) -> list[CheckResult]:
    return [run(root) for _ in range(REPEATS)]


def _reasons(results: list[CheckResult]) -> str:
    return "\n".join(f"{r.status}: {r.reason}" for r in results)


def test_identical_head_passes_every_time(tmp_path: Path, run_benchmarks: RunCheck) -> None:
    root = make_repo(tmp_path / "repo")  # HEAD only edits the README
    results = _repeat(run_benchmarks, root)
    assert [r.status for r in results] == [Status.PASSED] * REPEATS, _reasons(results)
    for r in results:
        assert not [f for f in r.findings if f.blocking]
        ratio = {m.name: m for m in r.metrics}["benchmarks/test_time.py::test_work.ratio"]
        assert 0.8 < ratio.value < 1.2
        assert ratio.threshold == pytest.approx(1.1)


@pytest.mark.parametrize(
    ("change", "low", "high"),
    [
        ({"FACTOR = 1": "FACTOR = 2"}, 1.6, 2.4),
        ({"N = 70000": "N = 91000"}, 1.15, 1.5),
    ],
    ids=["2x", "1.3x"],
)
def test_slower_head_fails_every_time(
    tmp_path: Path, run_benchmarks: RunCheck, change: dict[str, str], low: float, high: float
) -> None:
    root = make_repo(tmp_path / "repo", change)
    results = _repeat(run_benchmarks, root)
    assert [r.status for r in results] == [Status.FAILED] * REPEATS, _reasons(results)
    for r in results:
        (finding,) = [f for f in r.findings if f.blocking]
        assert finding.rule_id == "perf-regression"
        assert finding.location is not None
        assert finding.location.path == "benchmarks/test_time.py"
        assert finding.location.start_line == 4
        # The finding names the benchmark and shows the ratio with its interval, p and rounds.
        assert "test_work" in finding.message
        assert "95% CI" in finding.message
        assert "p=" in finding.message
        assert "rounds" in finding.message
        assert "confirmed by a re-run" in r.reason
        metrics = {m.name: m.value for m in r.metrics}
        assert low < metrics["benchmarks/test_time.py::test_work.ratio"] < high
        head = metrics["benchmarks/test_time.py::test_work.head_median"]
        base = metrics["benchmarks/test_time.py::test_work.base_median"]
        assert head > base > 0.001


def test_noisy_benchmark_is_inconclusive_not_passed(
    tmp_path: Path, run_benchmarks: RunCheck
) -> None:
    root = make_repo(tmp_path / "repo")
    warn = run_benchmarks(root, bench="test_noisy.py")
    assert warn.status == Status.PASSED  # on_inconclusive = "warn": visible, not blocking
    assert "1 inconclusive" in warn.reason
    assert "too noisy" in warn.reason
    (finding,) = warn.findings
    assert finding.rule_id == "perf-inconclusive"
    assert finding.severity == "low"
    assert not finding.blocking
    error = run_benchmarks(root, bench="test_noisy.py", on_inconclusive="error")
    assert error.status == Status.ERROR
    assert "inconclusive" in error.reason


def test_benchmarks_new_in_head_are_reported_not_compared(
    tmp_path: Path, run_benchmarks: RunCheck, run_memory: RunCheck
) -> None:
    root = make_repo(tmp_path / "repo", bench_files={})  # the base has no benchmarks at all
    (root / "benchmarks").mkdir(exist_ok=True)
    (root / "benchmarks" / "test_time.py").write_text(BENCHMARKS["test_time.py"])
    (root / "benchmarks" / "test_memory.py").write_text(BENCHMARKS["test_memory.py"])
    git(root, "add", "-A")
    git(root, "commit", "-qm", "add benchmarks")
    timing = run_benchmarks(root)
    assert timing.status == Status.SKIPPED
    assert "nothing to compare" in timing.reason
    assert "none of the benchmark paths exist on base" in timing.reason
    (finding,) = timing.findings
    assert finding.rule_id == "perf-no-base"
    assert "benchmarks/test_time.py::test_work.head_median" in {m.name for m in timing.metrics}
    memory = run_memory(root)
    assert memory.status == Status.SKIPPED
    assert "nothing to compare" in memory.reason


def test_a_base_side_that_imports_the_heads_code_is_an_error(
    tmp_path: Path, run_benchmarks: RunCheck, run_memory: RunCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The head's src on the interpreter's path, as an editable install puts it: without
    # `pythonpath` the base side would benchmark the head's code and always pass.
    root = make_repo(tmp_path / "repo", {"FACTOR = 1": "FACTOR = 2"})
    monkeypatch.setenv("PYTHONPATH", str(root / "src"))
    for run in (run_benchmarks, run_memory):
        with pytest.raises(CheckError, match=r"the base side imported the head's code \(fx"):
            run(root, pythonpath=[])
    # With pythonpath, each side's own src comes first: a real comparison again.
    assert run_benchmarks(root).status == Status.FAILED
