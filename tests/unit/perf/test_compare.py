"""The measuring loop with a scripted collector: more rounds, fresh tries, confirmation."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from atlas_ci.checks.perf.compare import Evaluation, Plan, evaluate
from atlas_ci.checks.perf.runs import Samples
from atlas_ci.checks.perf.stats import Params, Sample

pytestmark = pytest.mark.unit

Step = Callable[[int, int, Sequence[str] | None], tuple[Samples, Samples]]


def rounds(median: float, n: int, spread: float = 0.004) -> tuple[float, ...]:
    """n distinct rounds within +-spread/2 of median (deterministic)."""
    return tuple(median * (1 - spread / 2 + spread * i / max(1, n - 1)) for i in range(n))


def sides(
    head: float,
    base: float,
    runs: int,
    per_run: int,
    names: Sequence[str] = ("b",),
    *,
    noisy: bool = False,
    wide: bool = False,
) -> tuple[Samples, Samples]:
    def make(median: float) -> Sample:
        if wide:  # rounds spread over +-25%: CV about 14%, over max_cv
            return Sample(tuple(rounds(median, per_run, spread=0.5) for _ in range(runs)))
        if noisy:
            return Sample(
                tuple(
                    tuple(median * (1 + 2 * (i % 2)) for i in range(per_run)) for _ in range(runs)
                )
            )
        return Sample(tuple(rounds(median, per_run) for _ in range(runs)))

    return {n: make(head) for n in names}, {n: make(base) for n in names}


class Script:
    """A collector answering each call with the next scripted step; records the calls."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.calls: list[tuple[int, int, list[str] | None]] = []

    def __call__(
        self, runs: int, per_run: int, only: Sequence[str] | None
    ) -> tuple[Samples, Samples]:
        self.calls.append((runs, per_run, list(only) if only is not None else None))
        return self.steps.pop(0)(runs, per_run, only)


def slower(factor: float, **kw: bool) -> Step:
    return lambda runs, per_run, only: sides(
        0.003 * factor, 0.003, runs, per_run, only or ("b",), **kw
    )


PLAN = Plan.of(rounds=10, runs=2, max_rounds=60)


def suspect(runs: int, per_run: int, only: Sequence[str] | None) -> tuple[Samples, Samples]:
    """Every head round slower and 1.3x at the median, but one head run only 5% slower: the
    interval, which resamples runs, reaches below 1.1."""
    names = only or ("b",)
    head = Sample((rounds(0.00315, per_run), *(rounds(0.0048, per_run) for _ in range(runs - 1))))
    base = Sample(tuple(rounds(0.003, per_run) for _ in range(runs)))
    return dict.fromkeys(names, head), dict.fromkeys(names, base)


def run(script: Script, plan: Plan = PLAN) -> Evaluation:
    return evaluate(script, Params(), plan)


def test_identical_sides_are_measured_once_and_pass() -> None:
    script = Script(slower(1.0))
    ev = run(script)
    assert ev.verdicts["b"].outcome == "ok"
    assert script.calls == [(2, 5, None)]


def test_a_regression_in_the_first_pass_is_one_without_a_re_run() -> None:
    script = Script(slower(2.0))
    ev = run(script)
    assert script.calls == [(2, 5, None)]
    verdict = ev.verdicts["b"]
    assert verdict.outcome == "regressed"
    assert verdict.how == "first pass"


def test_a_regression_stays_one_however_noisy_its_rounds() -> None:
    # The scenario: 2x slower, found, and the sides noisy: noise does not excuse it.
    script = Script(slower(2.0, wide=True))
    verdict = run(script).verdicts["b"]
    assert verdict.outcome == "regressed"
    assert "too noisy" not in verdict.reason


def test_a_suspect_confirmed_by_the_re_run_is_a_regression() -> None:
    # Significant with the median past the threshold, interval not yet: one more look.
    script = Script(suspect, slower(2.0))
    ev = run(script)
    assert script.calls == [(2, 5, None), (4, 5, ["b"])]
    verdict = ev.verdicts["b"]
    assert verdict.outcome == "regressed"
    assert verdict.n_head == 20  # the confirmation's own data decides
    assert "confirmed by a re-run" in verdict.reason


def test_a_suspect_whose_re_run_is_noisy_but_significant_ends_failed() -> None:
    script = Script(suspect, slower(2.0, wide=True))
    verdict = run(script).verdicts["b"]
    assert verdict.outcome == "regressed"
    assert "confirmed by a re-run" in verdict.reason


def test_a_suspect_the_re_run_clears_is_fine() -> None:
    script = Script(suspect, slower(1.0))
    verdict = run(script).verdicts["b"]
    assert verdict.outcome == "ok"
    assert "not confirmed by a re-run" in verdict.reason


def test_a_suspect_the_re_run_cannot_judge_is_inconclusive_never_passed() -> None:
    script = Script(suspect, slower(1.0, noisy=True))
    verdict = run(script).verdicts["b"]
    assert verdict.outcome == "inconclusive"
    assert "could not judge" in verdict.reason


def test_too_few_rounds_for_the_p_value_collect_more_runs() -> None:
    script = Script(slower(2.0), slower(2.0), slower(2.0))
    ev = run(script, Plan.of(rounds=4, runs=2, max_rounds=60))  # 4 v 4: best p is 0.014
    assert script.calls[1] == (1, 2, ["b"])  # one more run of 2 rounds: 6 v 6 reaches p < 0.01
    assert ev.verdicts["b"].outcome == "regressed"


def test_max_rounds_stops_the_search_and_says_so() -> None:
    script = Script(slower(2.0))
    verdict = run(script, Plan.of(rounds=4, runs=2, max_rounds=4)).verdicts["b"]
    assert verdict.outcome == "inconclusive"
    assert "max_rounds (4) reached" in verdict.reason


def test_a_noisy_benchmark_gets_one_fresh_measurement() -> None:
    script = Script(slower(1.0, noisy=True), slower(1.0))
    verdict = run(script).verdicts["b"]
    assert verdict.outcome == "ok"
    assert "measured again after: head too noisy" in verdict.reason
    assert script.calls[1] == (4, 5, ["b"])


def test_still_noisy_when_measured_again_is_inconclusive() -> None:
    script = Script(slower(1.0, noisy=True), slower(1.0, noisy=True))
    verdict = run(script).verdicts["b"]
    assert verdict.outcome == "inconclusive"
    assert "measured again" in verdict.reason


def test_benchmarks_on_one_side_only_are_listed_not_judged() -> None:
    def step(runs: int, per_run: int, only: Sequence[str] | None) -> tuple[Samples, Samples]:
        head, base = sides(0.003, 0.003, runs, per_run, ("kept", "added", "removed"))
        del head["removed"], base["added"]
        return head, base

    ev = run(Script(step))
    assert set(ev.verdicts) == {"kept"}
    assert ev.new == ["added"]
    assert ev.gone == ["removed"]


def test_runs_that_disagree_get_one_fresh_measurement() -> None:
    def disagreeing(runs: int, per_run: int, only: Sequence[str] | None) -> tuple[Samples, Samples]:
        head = Sample((rounds(0.003, per_run), rounds(0.0039, per_run)))
        return {"b": head}, {"b": Sample((rounds(0.003, per_run),) * 2)}

    script = Script(disagreeing, slower(1.0))
    verdict = run(script).verdicts["b"]
    assert script.calls[1] == (4, 5, ["b"])
    assert verdict.outcome == "ok"
    assert "measured again after: cannot rule out" in verdict.reason
    again = run(Script(disagreeing, disagreeing)).verdicts["b"]
    assert again.outcome == "inconclusive"
