"""From verdicts to a CheckResult: statuses, findings and metrics of perf.benchmarks and memory."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from atlas_ci.checks.base import CheckContext, ProjectInfo
from atlas_ci.checks.perf.benchmarks import Benchmarks
from atlas_ci.checks.perf.compare import Evaluation
from atlas_ci.checks.perf.memory import Memory, plan
from atlas_ci.checks.perf.memory_report import memory_result
from atlas_ci.checks.perf.report import timing_result
from atlas_ci.checks.perf.settings import BenchmarkSettings, MemorySettings, PerfGateSettings
from atlas_ci.checks.perf.stats import Sample, Verdict
from atlas_ci.model import Severity, Status

pytestmark = pytest.mark.unit

NAME = "bench/test_x.py::test_parse[big]"


def ctx(root: Path, settings: BenchmarkSettings | MemorySettings) -> CheckContext:
    (root / "bench").mkdir(exist_ok=True)
    (root / "bench" / "test_x.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('size', ['big'])\n"
        "def test_parse(benchmark, size):\n    benchmark(len, size)\n"
    )
    project = ProjectInfo(
        root=root, paths=(".",), exclude=(), python=sys.executable, report_dir=root / "reports"
    )
    return CheckContext(project, settings, PerfGateSettings())


def verdict(outcome: str, reason: str = "", ratio: float = 2.0) -> Verdict:
    return Verdict(
        outcome,
        reason,
        0.006,
        0.003,
        20,
        20,
        ratio,
        low=1.9,
        high=2.1,  # type: ignore[arg-type]
        p=1e-6,
        p_holm=1e-6,
    )


def evaluation(verdicts: dict[str, Verdict], new: tuple[str, ...] = ()) -> Evaluation:
    head = {n: Sample.of([0.004, 0.0041]) for n in (*verdicts, *new)}
    return Evaluation(verdicts, head, {}, new=list(new), gone=[])


def result(tmp_path: Path, ev: Evaluation, **settings: object):  # type: ignore[no-untyped-def]
    s = BenchmarkSettings.model_validate({"paths": ["bench"], **settings})
    return timing_result(Benchmarks(), ctx(tmp_path, s), s, ev, "base abc (HEAD~1)", version="5")


def test_a_regression_fails_with_a_located_finding_and_metrics(tmp_path: Path) -> None:
    res = result(tmp_path, evaluation({NAME: verdict("regressed", "slower")}))
    assert res.status == Status.FAILED
    assert NAME in res.reason
    (finding,) = res.findings
    assert finding.rule_id == "perf-regression"
    assert finding.blocking
    assert finding.location is not None
    assert (finding.location.path, finding.location.start_line) == ("bench/test_x.py", 5)
    assert "median ratio 2.000 (95% CI 1.900-2.100)" in finding.message
    assert "p=1e-06" in finding.message
    assert "rounds 20 head / 20 base" in finding.message
    metrics = {m.name: m for m in res.metrics}
    assert metrics[f"{NAME}.head_median"].value == 0.006
    assert metrics[f"{NAME}.base_median"].value == 0.003
    ratio = metrics[f"{NAME}.ratio"]
    assert (ratio.value, ratio.threshold, ratio.direction) == (2.0, pytest.approx(1.1), "max")


def test_a_ratio_over_the_threshold_without_the_rule_agreeing_passes(tmp_path: Path) -> None:
    # The status follows the statistical rule, not the metric's threshold.
    res = result(tmp_path, evaluation({NAME: verdict("ok", "interval reaches 1.10", 1.15)}))
    assert res.status == Status.PASSED
    assert "no regression in 1 judged benchmark(s)" in res.reason


def test_inconclusive_warns_visibly_by_default(tmp_path: Path) -> None:
    res = result(tmp_path, evaluation({NAME: verdict("inconclusive", "head too noisy: CV 40%")}))
    assert res.status == Status.PASSED
    assert "1 inconclusive" in res.reason
    assert "CV 40%" in res.reason
    (finding,) = res.findings
    assert (finding.rule_id, finding.severity, finding.blocking) == (
        "perf-inconclusive",
        Severity.LOW,
        False,
    )


def test_inconclusive_errors_when_configured(tmp_path: Path) -> None:
    ev = evaluation({NAME: verdict("inconclusive", "noisy"), "b::ok": verdict("ok", "fine", 1.0)})
    res = result(tmp_path, ev, on_inconclusive="error")
    assert res.status == Status.ERROR
    assert "inconclusive" in res.reason


def test_benchmarks_the_base_lacks_are_listed_and_nothing_to_compare_is_a_skip(
    tmp_path: Path,
) -> None:
    res = result(tmp_path, evaluation({}, new=(NAME,)))
    assert res.status == Status.SKIPPED
    assert "nothing to compare" in res.reason
    (finding,) = res.findings
    assert finding.rule_id == "perf-no-base"
    assert not finding.blocking
    assert [m.name for m in res.metrics] == [f"{NAME}.head_median"]
    mixed = result(tmp_path, evaluation({"b::ok": verdict("ok", "fine", 1.0)}, new=(NAME,)))
    assert mixed.status == Status.PASSED
    assert f"1 without base timing: {NAME}" in mixed.reason


def judge_memory(tmp_path: Path, head: dict[str, int], base: dict[str, int], **kw: object):  # type: ignore[no-untyped-def]
    s = MemorySettings.model_validate({"paths": ["bench"], **kw})
    c = ctx(tmp_path, s)
    return memory_result(
        Memory(), c, plan(c), (head, base), note="", against="base abc", version=None
    )


def test_memory_growth_past_the_limit_fails(tmp_path: Path) -> None:
    res = judge_memory(tmp_path, {NAME: 200_000}, {NAME: 100_000})
    assert res.status == Status.FAILED
    (finding,) = res.findings
    assert finding.rule_id == "perf-memory-growth"
    assert "200000 B per call vs 100000 B (x2.00, limit x1.10)" in finding.message
    ratio = {m.name: m for m in res.metrics}[f"{NAME}.memory_ratio"]
    assert (ratio.value, ratio.threshold) == (2.0, pytest.approx(1.1))


def test_memory_growth_within_limit_or_under_the_byte_floor_passes(tmp_path: Path) -> None:
    assert judge_memory(tmp_path, {NAME: 105_000}, {NAME: 100_000}).status == Status.PASSED
    tiny = judge_memory(tmp_path, {NAME: 900}, {NAME: 300})  # x3, but 600 bytes
    assert tiny.status == Status.PASSED
    assert judge_memory(tmp_path, {NAME: 900}, {NAME: 300}, min_growth_bytes=100).status == (
        Status.FAILED
    )


def test_memory_without_any_base_measurement_is_skipped(tmp_path: Path) -> None:
    res = judge_memory(tmp_path, {NAME: 1000}, {})
    assert res.status == Status.SKIPPED
    assert "nothing to compare" in res.reason
    assert not math.isnan(res.metrics[0].value)
