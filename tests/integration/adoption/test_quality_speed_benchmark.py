"""`atlas-ci gate quality` against the tools by hand in sequence (ruff check, ruff format --check,
mypy, radon cc) on a generated 35k-line project with a 4k-line data-literal module.

pytest-benchmark times the gate in a developer's loop: before each round (untimed) one module
is edited, so the result cache cannot serve any check and every tool runs, each with its own
cache as it was (mypy's, ruff's, quality.complexity's per-file memo). The by-hand sequence runs
after the same kind of edit. Recorded in the benchmark's extra_info (`--benchmark-json` keeps
them), besides that ratio: the slowest tool alone; both sides with every cache cold (no
.mypy_cache, .ruff_cache or .atlas-ci); `--no-cache` (no memo either); and a warm re-run of an
unchanged tree (the result cache, answered by the instant replay) against the cold run. Nothing
is asserted about the timings (the machine is shared): only that every run really ran its tools
and that the warm re-run was all cached.

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
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.bigproject import generate
from helpers.cli import checks, report
from pytest_benchmark.fixture import BenchmarkFixture

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
ROUNDS = 5
EDITED = Path("src") / "bigproject" / "mod050.py"
CACHES = (".mypy_cache", ".ruff_cache", ".atlas-ci")

ENV = {
    k: v
    for k, v in os.environ.items()
    if k not in ("PYTHONDONTWRITEBYTECODE", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")
}
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


def _editor(root: Path) -> Callable[[], None]:
    """A new edit of one module each call: a comment, so no tool's verdict changes."""
    count = [0]

    def edit() -> None:
        count[0] += 1
        with (root / EDITED).open("a", encoding="utf-8") as out:
            out.write(f"# edit {count[0]}\n")

    return edit


def _cold(root: Path) -> None:
    for name in CACHES:
        shutil.rmtree(root / name, ignore_errors=True)


def _all_ran(root: Path) -> None:
    found = checks(report(root))
    assert sorted(found) == [
        "quality.complexity",
        "quality.format",
        "quality.lint",
        "quality.types",
    ]
    assert not any(c["cached"] for c in found.values())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bigproject")
    lines = generate(root)
    assert lines >= 30_000
    assert len((root / "src" / "bigproject" / "data.py").read_text().splitlines()) >= 4_000
    (root / ".gitignore").write_text("reports/\n.atlas-ci/\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "."], cwd=root, check=True)
    return root


def test_gate_quality_against_the_tools_by_hand(project: Path, benchmark: BenchmarkFixture):
    edit = _editor(project)
    # Every cache cold, both ways: a fresh clone.
    cold_hand, cold_gate = [], []
    for _ in range(2):
        _cold(project)
        cold_hand.append(sum(_by_hand(project).values()))
        _cold(project)
        cold_gate.append(_gate(project))
        _all_ran(project)
    # The developer's loop: one module edited, the tools' own caches as they are.
    rounds = []
    for _ in range(ROUNDS):
        edit()
        rounds.append(_by_hand(project))
    hand = [sum(r.values()) for r in rounds]
    each = {name: statistics.median(r[name] for r in rounds) for name in TOOLS}
    benchmark.pedantic(_gate, args=(project,), setup=edit, rounds=ROUNDS, iterations=1)
    _all_ran(project)
    no_cache = []
    for _ in range(3):
        edit()
        no_cache.append(_gate(project, "--no-cache"))
    # An unchanged tree: the result cache serves every check (the instant replay answers).
    _gate(project)
    warm = [_gate(project) for _ in range(ROUNDS)]
    assert all(c["cached"] for c in checks(report(project)).values())
    gate = benchmark.stats.stats.median
    by_hand = statistics.median(hand)
    cold = statistics.median(cold_gate)
    benchmark.extra_info.update(
        {
            "by_hand_median_s": by_hand,
            "gate_median_s": gate,
            "ratio_gate_to_by_hand": gate / by_hand,
            "tools_median_s": each,
            "ratio_gate_to_slowest_tool": gate / max(each.values()),
            "all_cold_by_hand_s": cold_hand,
            "all_cold_gate_s": cold_gate,
            "ratio_all_cold": cold / statistics.median(cold_hand),
            "no_cache_gate_median_s": statistics.median(no_cache),
            "ratio_no_cache_to_by_hand": statistics.median(no_cache) / by_hand,
            "warm_median_s": statistics.median(warm),
            "warm_to_cold": statistics.median(warm) / cold,
            "load_average": Path("/proc/loadavg").read_text().split()[:3],
        }
    )
