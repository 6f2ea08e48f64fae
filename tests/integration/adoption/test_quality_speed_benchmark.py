"""`atlas-ci gate quality` against the tools by hand in sequence (ruff check, ruff format --check,
mypy, radon cc) on a generated 35k-line project with a 4k-line data-literal module.

pytest-benchmark times the gate (tool caches warm, result cache off); the by-hand sequence, the
ratio, the slowest tool alone and a warm result-cache re-run are recorded in the benchmark's
extra_info (`--benchmark-json` keeps them). Nothing is asserted about the timings (the machine is
shared): only that every run really ran and the warm re-run was served from the cache.

Like for like: both sides run with Python's default bytecode cache (an environment that sets
PYTHONDONTWRITEBYTECODE would recompile atlas-ci's own modules on every start, which no pip
install does), and mypy uses the project's one `.mypy_cache` both ways (same directory, same
per-module options: the gate's extra flags are output formats and the interpreter mypy would
pick anyway).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.bigproject import generate
from helpers.cli import checks, report
from pytest_benchmark.fixture import BenchmarkFixture

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
ROUNDS = 3


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TOOLS = {
    "ruff check": [str(BIN / "ruff"), "check", "src"],
    "ruff format --check": [str(BIN / "ruff"), "format", "--check", "src"],
    "mypy": [str(BIN / "mypy")],
    "radon cc": [str(BIN / "radon"), "cc", "-j", "src"],
}


def _run(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, timeout=900, check=False, env=ENV
    )
    elapsed = time.perf_counter() - start
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # ran and judged
    return elapsed


def _by_hand(root: Path) -> dict[str, float]:
    """Each tool's wall time, one after another as a hand-written CI job runs them."""
    return {name: _run(argv, root) for name, argv in TOOLS.items()}


def _gate(root: Path, *extra: str) -> float:
    return _run([sys.executable, "-m", "atlas_ci", "gate", "quality", "-q", *extra], root)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bigproject")
    lines = generate(root)
    assert lines >= 30_000
    assert len((root / "src" / "bigproject" / "data.py").read_text().splitlines()) >= 4_000
    (root / ".gitignore").write_text("reports/\n.atlas-ci/\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "."], cwd=root, check=True)
    # Warm every tool's own cache (ruff, mypy) both ways, so the comparison is like for like.
    _by_hand(root)
    _gate(root, "--no-cache")
    return root


def test_gate_quality_against_the_tools_by_hand(project: Path, benchmark: BenchmarkFixture):
    rounds = [_by_hand(project) for _ in range(ROUNDS)]
    hand = [sum(r.values()) for r in rounds]
    each = {name: statistics.median(r[name] for r in rounds) for name in TOOLS}
    benchmark.pedantic(_gate, args=(project, "--no-cache"), rounds=ROUNDS, iterations=1)
    assert sorted(checks(report(project))) == [
        "quality.complexity",
        "quality.format",
        "quality.lint",
        "quality.types",
    ]
    shutil.rmtree(project / ".atlas-ci", ignore_errors=True)
    cold = _gate(project)
    warm = [_gate(project) for _ in range(ROUNDS)]
    assert all(c["cached"] for c in checks(report(project)).values())
    gate = benchmark.stats.stats.median
    by_hand = statistics.median(hand)
    benchmark.extra_info.update(
        {
            "by_hand_median_s": by_hand,
            "gate_median_s": gate,
            "ratio_gate_to_by_hand": gate / by_hand,
            "tools_median_s": each,
            "ratio_gate_to_slowest_tool": gate / max(each.values()),
            "cold_result_cache_s": cold,
            "warm_result_cache_median_s": statistics.median(warm),
            "warm_to_cold": statistics.median(warm) / cold,
            "load_average": Path("/proc/loadavg").read_text().split()[:3],
        }
    )
