"""The perf gate: pytest-benchmark timings and peak allocations, head against a base."""

from __future__ import annotations

from atlas_ci.checks.perf.benchmarks import Benchmarks
from atlas_ci.checks.perf.memory import Memory
from atlas_ci.checks.perf.settings import PerfGateSettings
from atlas_ci.checks.spec import GateSpec

GATE = GateSpec(
    name="perf",
    checks=(Benchmarks(), Memory()),
    settings_model=PerfGateSettings,
    summary="pytest-benchmark, judged statistically against a base; tracemalloc peaks",
)
