"""`atlas-ci gate perf` on this repository's own Atlas benchmarks, in a clone of the repository:
the previous commit as base, each side importing its own atlas (pythonpath = atlas/src)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from helpers.cli import REPO, atlas_ci, checks, report

pytestmark = pytest.mark.integration

BENCH = "atlas/benchmarks/test_bench_atlas.py"
CONFIG = """
[gates.perf.benchmarks]
paths = ["atlas/benchmarks"]
pythonpath = ["atlas/src"]
args = ["-p", "no:hypothesispytest"]
max_noise = 0.01  # as in atlas-ci.toml: SQLite and the clock move Atlas's counts by 0.3% at most

[gates.perf.memory]
min_growth_bytes = 8192  # as in atlas-ci.toml: create_place's peak moves by ~2 KB per call
"""
# Appended to the clone's atlas/storage.py: every nearby search does ~3 ms more CPU work.
SLOWER_NEAR = """

_measured_near = Storage.near


def _slower_near(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    sum(i * i for i in range(100_000))
    return _measured_near(self, *args, **kwargs)


Storage.near = _slower_near  # type: ignore[method-assign]
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("atlas") / "repo"
    git(REPO, "clone", "--quiet", str(REPO), str(root))
    if not (root / BENCH).is_file():
        pytest.fail(f"{BENCH} is not committed in this repository")
    (root.parent / "perf.toml").write_text(CONFIG)
    return root


def gate(root: Path, *args: str) -> tuple[int, dict[str, dict[str, object]]]:
    res = atlas_ci("gate", "perf", "--config", str(root.parent / "perf.toml"), *args, cwd=root)
    assert res.returncode in (0, 1), res.stdout + res.stderr
    return res.returncode, checks(report(root))


BENCHES = ("test_bench_near_search", "test_bench_near_search_wide", "test_bench_create_place")


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_atlas_against_the_previous_commit_in_instruction_counts(clone: Path) -> None:
    started = time.monotonic()
    code, results = gate(clone)
    took = time.monotonic() - started
    timing, memory = results["perf.benchmarks"], results["perf.memory"]
    assert code == 0, timing["reason"]
    assert timing["status"] == "passed"
    assert "(HEAD~1)" in str(timing["reason"])
    assert "measured by instruction counts (valgrind" in str(timing["reason"])
    metrics = {m["name"]: m for m in timing["metrics"]}  # type: ignore[attr-defined]
    for bench in BENCHES:
        head = metrics[f"{BENCH}::{bench}.head_instructions"]
        assert head["unit"] == "instructions"
        assert head["value"] > 100_000
        assert f"{BENCH}::{bench}.base_instructions" in metrics
        assert f"{BENCH}::{bench}.ratio" in metrics
    summary = (clone / "reports" / "summary.md").read_text()
    assert f"{BENCH}::test_bench_near_search.head_instructions" in summary
    assert "| instructions |" in summary
    assert memory["status"] == "passed"
    print(f"gate perf on Atlas (instructions, both checks): {took:.1f} s")


@pytest.mark.slow
def test_a_slower_atlas_search_fails_the_gate(clone: Path) -> None:
    storage = clone / "atlas" / "src" / "atlas" / "storage.py"
    storage.write_text(storage.read_text() + SLOWER_NEAR)
    git(
        clone,
        "-c",
        "user.email=perf@example.invalid",
        "-c",
        "user.name=perf",
        "commit",
        "-qam",
        "slower near()",
    )
    code, results = gate(clone, "--only", "benchmarks")
    timing = results["perf.benchmarks"]
    assert code == 1, timing["reason"]
    flagged = {
        f["message"].split(" ")[0]
        for f in timing["findings"]  # type: ignore[attr-defined]
        if f["rule_id"] == "perf-regression"
    }
    assert f"{BENCH}::test_bench_near_search" in flagged, timing["reason"]
    assert f"{BENCH}::test_bench_create_place" not in flagged, timing["reason"]
