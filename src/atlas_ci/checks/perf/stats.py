"""The regression decision rule: Mann-Whitney U, a bootstrap interval on the median ratio, Holm.

A benchmark regresses only when both hold:
  * a one-sided Mann-Whitney U test (head slower than base) is significant after Holm's
    correction over every benchmark judged in the same run, and
  * the lower bound of a bootstrap 95% interval on median(head) / median(base) exceeds
    1 + min_effect.
The test says "slower, not by chance"; the interval says "and by enough to matter". Either alone
raises false alarms on shared machines: with many rounds a 1% shift is significant, and with few
rounds a noisy ratio can look large. The rank test treats rounds as independent, which rounds of
one pytest process are not quite (they share its conditions): the interval therefore resamples
whole runs first (perf.bootstrap), and the runs of each side are interleaved (perf.compare).

Before testing, each side is screened: a side whose rounds are too few or shorter than
`min_round_time` cannot be timed at all (inconclusive). Noise is judged apart: the coefficient of
variation is the benchmark's own round-to-round noise, computed within runs (each run's rounds
scaled to a common median, since drift between runs is the machine's and the interval accounts for
it), after dropping Tukey's "far out" values (beyond 3 IQR from the quartiles, at most one round in
ten). Noise only ever makes a *no regression* verdict uncertain: a benchmark that passes the full
rule above is a regression whatever its CV (a slower head measured on a busy machine is still
slower); one that does not, with a side's CV at or above `max_cv`, is "noisy" and measured again.
The rank test and the median interval use every round, untrimmed: both are robust to outliers.

A benchmark passes ("ok") only when the interval's upper bound stays at or below 1 + min_effect:
when it straddles the threshold (a loaded machine whose runs disagree), the verdict is "unsure",
measured once more with twice the runs, and inconclusive if still unsure. Never a silent pass.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from atlas_ci.checks.perf.bootstrap import ratio_interval

# short: too few rounds for the needed p-value yet; noisy: CV too high; unsure: the interval
# straddles the threshold (both worth one fresh try); suspect: significant and the median ratio
# is past the threshold, but its interval is not (yet): a re-run decides.
Outcome = Literal["regressed", "suspect", "ok", "unsure", "inconclusive", "short", "noisy"]
# Far-out fence of Tukey's boxplot rule.
TUKEY_FAR = 3.0


@dataclass(frozen=True)
class Params:
    alpha: float = 0.01
    min_effect: float = 0.10
    max_cv: float = 0.10
    min_round_time: float = 0.001


@dataclass(frozen=True)
class Sample:
    """One side's timings of one benchmark: seconds per call, one value per round, grouped by the
    process run that measured them (rounds of one run share that run's conditions)."""

    runs: tuple[tuple[float, ...], ...]
    iterations: int = 1  # calls per round (the fewest seen across runs)

    @classmethod
    def of(cls, times: Sequence[float], iterations: int = 1) -> Sample:
        """The rounds of a single run."""
        return cls((tuple(times),), iterations)

    @property
    def times(self) -> tuple[float, ...]:
        return tuple(t for run in self.runs for t in run)

    @property
    def n(self) -> int:
        return sum(len(run) for run in self.runs)

    @property
    def median(self) -> float:
        return _median(self.times)

    @property
    def round_time(self) -> float:
        return self.median * self.iterations

    def within_runs(self) -> tuple[float, ...]:
        """The rounds with each run's shift removed (scaled by run median / overall median): the
        benchmark's own round-to-round noise, apart from the machine's run-to-run drift."""
        usable = [run for run in self.runs if len(run) >= 2]
        if not usable:
            return self.times
        overall = self.median
        return tuple(t * overall / _median(run) for run in usable for t in run)

    def merged(self, other: Sample) -> Sample:
        return Sample(self.runs + other.runs, min(self.iterations, other.iterations))


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reason: str
    head_median: float  # the side's figure, in `unit` per call
    base_median: float
    n_head: int  # rounds (timers) or measurements (instructions)
    n_base: int
    ratio: float
    low: float = math.nan
    high: float = math.nan
    p: float = math.nan  # raw one-sided p-value
    p_holm: float = math.nan  # Holm-adjusted
    unit: str = "s"  # "s" (a timer) or "instructions"
    how: str = ""  # how the verdict was reached, as findings and summaries show it

    def but(self, outcome: Outcome, reason: str) -> Verdict:
        return replace(self, outcome=outcome, reason=reason)

    def figures(self) -> str:
        """Base and head per call in the timer's unit."""
        if self.unit == "s":
            return f"base {_ms(self.base_median)}, head {_ms(self.head_median)} per call (median)"
        return f"base {self.base_median:,.0f}, head {self.head_median:,.0f} {self.unit} per call"

    def describe(self) -> str:
        """figures, ratio (with its interval, p-value and rounds for timers), as findings and
        reasons show them."""
        if self.unit != "s":
            # Counts are exact: enough places to tell 1.02003 from the 1.02 threshold.
            return f"ratio {self.ratio:.5f}: {self.figures()}"
        text = f"median ratio {self.ratio:.3f}"
        if not math.isnan(self.low):
            text += f" (95% CI {self.low:.3f}-{self.high:.3f})"
        if not math.isnan(self.p_holm):
            text += f", p={self.p_holm:.2g} (Holm)"
        return f"{text}, rounds {self.n_head} head / {self.n_base} base; {self.figures()}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.4g} ms"


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def trimmed(values: Sequence[float]) -> list[float]:
    """The values without Tukey's far-out ones (beyond Q1 - 3 IQR or Q3 + 3 IQR), dropping at
    most one value in ten (the farthest first): an outlier is rare by definition."""
    import numpy as np

    arr = np.asarray(values, dtype=float)
    q1, median, q3 = np.percentile(arr, [25, 50, 75])
    iqr = q3 - q1
    far = (arr < q1 - TUKEY_FAR * iqr) | (arr > q3 + TUKEY_FAR * iqr)
    by_distance = np.argsort(-np.abs(arr - median))
    drop = [i for i in by_distance if far[i]][: arr.size // 10]
    return [float(v) for i, v in enumerate(arr) if i not in set(drop)]


def cv(values: Sequence[float]) -> float:
    """Coefficient of variation (sample std / mean) after dropping far-out values."""
    import numpy as np

    kept = np.asarray(trimmed(values))
    if kept.size < 2 or kept.mean() <= 0:
        return math.inf
    return float(kept.std(ddof=1) / kept.mean())


def mwu_p(head: Sequence[float], base: Sequence[float]) -> float:
    """One-sided Mann-Whitney U p-value for "head is slower than base"."""
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(head, base, alternative="greater").pvalue)


@cache
def min_attainable_p(n1: int, n2: int) -> float:
    """The smallest p-value the test can give for these sizes: every head round slower than
    every base round. Computed by the same scipy call, so it follows scipy's exact/asymptotic
    choice."""
    if n1 < 1 or n2 < 1:
        return 1.0
    return mwu_p([float(n2 + i) for i in range(n1)], [float(i) for i in range(n2)])


def rounds_for(alpha: float, family: int, at_least: int) -> int | None:
    """Rounds per side needed so that p < alpha / family is attainable (None: over 1000)."""
    n = max(2, at_least)
    while min_attainable_p(n, n) >= alpha / max(1, family):
        n += 1
        if n > 1000:
            return None
    return n


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values (step-down, monotone), in the input order."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def screen(head: Sample, base: Sample, params: Params) -> str | None:
    """Why this pair cannot be timed at all (rounds too few or too short), or None."""
    for label, side in (("head", head), ("base", base)):
        if side.n < 2:
            return f"{label} has {side.n} round(s)"
        if side.round_time < params.min_round_time:
            return (
                f"{label} rounds take {side.round_time * 1e3:.3g} ms "
                f"(< {params.min_round_time * 1e3:g} ms): too short to time reliably"
            )
    return None


def noise(head: Sample, base: Sample, params: Params) -> str:
    """Why the sides are too noisy for a "no regression" verdict ("" when they are not)."""
    for label, side in (("head", head), ("base", base)):
        spread = cv(side.within_runs())
        if spread >= params.max_cv:
            return f"{label} too noisy: CV {spread:.1%} >= {params.max_cv:.0%}"
    return ""


def judge(pairs: Mapping[str, tuple[Sample, Sample]], params: Params) -> dict[str, Verdict]:
    """A verdict per benchmark, (head, base) pairs; Holm runs over every benchmark that could be
    timed (noisy ones included: noise does not excuse a significant slowdown)."""
    verdicts: dict[str, Verdict] = {}
    tested: dict[str, float] = {}
    for name, (head, base) in pairs.items():
        ratio = head.median / base.median if base.median > 0 else math.inf
        problem = screen(head, base, params)
        verdicts[name] = Verdict(
            "inconclusive" if problem else "ok",
            problem or "",
            head.median,
            base.median,
            head.n,
            base.n,
            ratio,
        )
        if not problem:
            tested[name] = mwu_p(head.times, base.times)
    family = len(tested)
    adjusted = dict(zip(tested, holm(list(tested.values())), strict=True))
    for name, p_raw in tested.items():
        head, base = pairs[name]
        verdicts[name] = _decide(
            name,
            verdicts[name],
            (head, base),
            p=(p_raw, adjusted[name]),
            family=family,
            params=params,
        )
    return verdicts


def _decide(
    name: str,
    v: Verdict,
    sides: tuple[Sample, Sample],
    *,
    p: tuple[float, float],
    family: int,
    params: Params,
) -> Verdict:
    head, base = sides
    p_raw, p_adj = p
    noisy = noise(head, base, params)
    floor = min_attainable_p(head.n, base.n)
    if floor >= params.alpha / family:
        why = (
            f"{head.n}/{base.n} rounds cannot reach p < {params.alpha / family:.2g} "
            f"(best possible {floor:.2g})"
        )
        return replace(v, outcome="short", p=p_raw, p_holm=p_adj, reason=why)
    low, high = ratio_interval(head, base, name)
    v = replace(v, p=p_raw, p_holm=p_adj, low=low, high=high)
    threshold = 1 + params.min_effect
    significant = p_adj < params.alpha
    if significant and low > threshold:
        return replace(v, outcome="regressed", reason=f"slower: {v.describe()}")
    if significant and v.ratio > threshold:
        return replace(v, outcome="suspect", reason=f"maybe slower: {v.describe()}")
    if noisy:
        return replace(v, outcome="noisy", reason=f"{noisy} ({v.describe()})")
    if high > threshold:
        return replace(
            v,
            outcome="unsure",
            reason=f"cannot rule out a slowdown past {threshold:.2f}: {v.describe()}",
        )
    return replace(v, outcome="ok", reason=f"no slowdown past {threshold:.2f}: {v.describe()}")
