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
from atlas_ci.checks.perf.timer import resolve
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
    v = Verdict(
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
        how="first pass",
    )
    return v.but(v.outcome, reason or v.describe())


def evaluation(verdicts: dict[str, Verdict], new: tuple[str, ...] = ()) -> Evaluation:
    head = {n: Sample.of([0.004, 0.0041]) for n in (*verdicts, *new)}
    return Evaluation(verdicts, head, {}, new=list(new), gone=[])


def result(tmp_path: Path, ev: Evaluation, **settings: object):  # type: ignore[no-untyped-def]
    s = BenchmarkSettings.model_validate({"paths": ["bench"], "timer": "cpu", **settings})
    method = resolve(ctx(tmp_path, s).project, s, "5").method
    return timing_result(
        Benchmarks(), ctx(tmp_path, s), s, ev, "base abc (HEAD~1)", version="5", method=method
    )


def test_a_regression_fails_with_a_located_finding_and_metrics(tmp_path: Path) -> None:
    res = result(tmp_path, evaluation({NAME: verdict("regressed")}))
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
    # Figures in the timer's unit and how the verdict was reached, in the finding and the reason.
    assert "base 3 ms, head 6 ms per call (median)" in finding.message
    assert "[decided by the cpu timer (time.process_time)" in finding.message
    assert "first pass" in finding.message
    assert f"{NAME}: regressed: " in res.reason
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


def test_inconclusive_is_an_error_by_default(tmp_path: Path) -> None:
    ev = evaluation({NAME: verdict("inconclusive", "noisy"), "b::ok": verdict("ok", "fine", 1.0)})
    res = result(tmp_path, ev)
    assert res.status == Status.ERROR
    assert f"1 could not be judged: {NAME}" in res.reason


def test_inconclusive_only_warns_when_configured_and_the_warning_leads(tmp_path: Path) -> None:
    ev = evaluation({NAME: verdict("inconclusive", "head too noisy: CV 40%")})
    res = result(tmp_path, ev, on_inconclusive="warn")
    assert res.status == Status.PASSED
    # First line: what tables and the summary show.
    assert res.reason.startswith("WARNING: 1 benchmark(s) could not be judged")
    assert "CV 40%" in res.reason
    (finding,) = res.findings
    assert (finding.rule_id, finding.severity, finding.blocking) == (
        "perf-inconclusive",
        Severity.LOW,
        False,
    )  # non-blocking findings become warning annotations


def test_a_regression_and_an_unjudged_benchmark_is_failed_when_warned_only(tmp_path: Path) -> None:
    ev = evaluation({NAME: verdict("regressed"), "b::x": verdict("inconclusive", "noisy")})
    assert result(tmp_path, ev).status == Status.ERROR
    assert result(tmp_path, ev, on_inconclusive="warn").status == Status.FAILED


def test_instruction_counts_are_shown_in_instructions(tmp_path: Path) -> None:
    v = Verdict("regressed", "", 105_000_000, 100_000_000, 2, 2, 1.05, unit="instructions")
    ev = Evaluation(
        {NAME: v.but("regressed", "more instructions: " + v.describe())},
        {},
        {},
        [],
        [],
        unit="instructions",
    )
    s = BenchmarkSettings.model_validate({"paths": ["bench"]})
    res = timing_result(
        Benchmarks(), ctx(tmp_path, s), s, ev, "base abc", version=None, method="instruction counts"
    )
    assert res.status == Status.FAILED
    (finding,) = res.findings
    assert (
        "ratio 1.05000: base 100,000,000, head 105,000,000 instructions per call" in finding.message
    )
    metrics = {m.name: m for m in res.metrics}
    assert metrics[f"{NAME}.head_instructions"].unit == "instructions"
    assert metrics[f"{NAME}.base_instructions"].value == 100_000_000
    assert metrics[f"{NAME}.ratio"].threshold == pytest.approx(1.02)  # instructions' default


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
    assert f"1 without base measurement: {NAME}" in mixed.reason


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
