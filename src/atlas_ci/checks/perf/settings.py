"""Settings of the perf gate and its checks (`[gates.perf]`, `.benchmarks`, `.memory`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from atlas_ci.settings import CheckSettings, GateSettings


class PerfGateSettings(GateSettings):
    base: str | None = Field(
        default=None,
        description="Git ref the head is compared with (relative mode); `--base` overrides it. "
        "Default: the merge-base with the default branch (origin/HEAD, else main, else master); "
        "when that is HEAD itself (you are on the default branch), HEAD~1.",
    )
    mode: Literal["relative", "baseline"] = Field(
        default="relative",
        description="relative: run base and head in the same job, interleaved. baseline: compare "
        "with the results recorded by `atlas-ci baseline update perf` under .atlas-ci/baselines/.",
    )
    baseline_dir: str = Field(
        default=".atlas-ci/baselines", description="Where stored baselines live."
    )
    history: int = Field(
        default=5, ge=1, description="Recorded runs per benchmark a baseline keeps."
    )


class BenchmarkSettings(CheckSettings):
    paths: tuple[str, ...] = Field(
        default=(), description="pytest-benchmark files or directories, relative to the repository."
    )
    args: tuple[str, ...] = Field(default=(), description="Extra pytest arguments for every run.")
    pythonpath: tuple[str, ...] = Field(
        default=(),
        description="Directories (relative to each side's tree) prepended to PYTHONPATH, so the "
        "base side imports its own code rather than the head's editable install (e.g. ['src']).",
    )
    alpha: float = Field(
        default=0.01, gt=0, lt=1, description="Family-wise significance level (Holm)."
    )
    min_effect: float | None = Field(
        default=None,
        ge=0,
        description="A regression must be slower by more than this fraction: for the timers, the "
        "lower bound of the 95% interval of the median ratio head/base (default 0.10); for "
        "instructions, the ratio of the counts (default 0.02).",
    )
    rounds: int = Field(
        default=12,
        ge=2,
        description="Rounds per side before the first judgement (split between the runs).",
    )
    runs: int = Field(
        # Three, not two: a burst of load on a shared host that lands on one side's runs can
        # otherwise move a whole side's median (seen once in ~70 acceptance runs with two).
        default=3,
        ge=1,
        description="pytest processes per side, interleaved base, head, head, base, so drift on "
        "the machine hits both sides alike. Confirmation re-runs use twice as many.",
    )
    max_rounds: int = Field(default=60, ge=2, description="Upper bound on rounds per side.")
    max_cv: float = Field(
        default=0.10,
        gt=0,
        description="A side whose coefficient of variation (after dropping "
        "far-out values) reaches this is too noisy to judge: inconclusive.",
    )
    min_round_time: float = Field(
        default=0.001,
        gt=0,
        description="Rounds shorter than this (seconds) cannot be timed reliably: inconclusive. "
        "pytest-benchmark is asked to loop short functions until a round takes twice this.",
    )
    timer: Literal["auto", "instructions", "cpu", "wall"] = Field(
        default="auto",
        description="instructions: instructions per call under valgrind's callgrind (through "
        "pytest-codspeed), deterministic whatever the load; cpu: process CPU time "
        "(time.process_time), blind to sleeping and I/O waits; wall: time.perf_counter. auto: "
        "instructions where valgrind and pytest-codspeed are available, else cpu (and the "
        "report says why).",
    )
    valgrind: str = Field(default="valgrind", description="The valgrind program (instructions).")
    max_noise: float = Field(
        default=0.001,
        gt=0,
        description="instructions: each side is measured twice; counts differing by more than "
        "this fraction mean the benchmark is not deterministic: it cannot be judged.",
    )
    on_inconclusive: Literal["warn", "error"] = Field(
        default="error",
        description="A benchmark that cannot be judged: error (the check errors) or warn (a "
        "low, non-blocking finding, and the check's reason opens with a warning).",
    )

    def effect(self, timer: str) -> float:
        """min_effect for this timer: the configured value, else 2% (instructions) or 10%."""
        if self.min_effect is not None:
            return self.min_effect
        return 0.02 if timer == "instructions" else 0.10


class MemorySettings(CheckSettings):
    paths: tuple[str, ...] | None = Field(
        default=None, description="Benchmark files or directories. Default: perf.benchmarks' paths."
    )
    args: tuple[str, ...] | None = Field(
        default=None, description="Default: perf.benchmarks' args."
    )
    pythonpath: tuple[str, ...] | None = Field(
        default=None, description="Default: perf.benchmarks' pythonpath."
    )
    max_memory_growth: float = Field(
        default=0.10, ge=0, description="Peak traced allocation per call may grow by this fraction."
    )
    min_growth_bytes: int = Field(
        default=1024,
        ge=0,
        description="Growth smaller than this many bytes is never a finding "
        "(interpreter free lists make tiny peaks wobble by a few hundred bytes).",
    )
