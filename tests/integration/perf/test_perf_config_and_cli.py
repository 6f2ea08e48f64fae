"""The perf gate as users drive it: atlas-ci.toml, stored baselines, the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, checks, report

from atlas_ci import config, plan, runner
from atlas_ci.checks.perf.baseline import update_baseline
from atlas_ci.model import CheckResult, Status

from .conftest import make_repo

pytestmark = pytest.mark.integration

CONFIG = """
[gates.perf]
mode = "{mode}"

[gates.perf.benchmarks]
paths = ["benchmarks/test_time.py"]
pythonpath = ["src"]
args = ["-p", "no:hypothesispytest"]

[gates.perf.memory]
paths = ["benchmarks/test_memory.py"]
"""


def configure(root: Path, mode: str = "relative") -> None:
    (root / "atlas-ci.toml").write_text(CONFIG.format(mode=mode))


def run_check(root: Path, check_id: str) -> CheckResult:
    cfg = config.load(root)
    planned = {p.id: p for p in plan.all_checks(cfg, ["perf"])}[check_id]
    return runner.run_one(planned, config.project_info(cfg, root, root / "reports"))


def test_stored_baseline_mode_compares_with_the_recorded_runs(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    configure(root, mode="baseline")
    cfg = config.load(root)
    project = config.project_info(cfg, root, root / "reports")
    missing = run_check(root, "perf.benchmarks")
    assert missing.status == Status.ERROR
    assert "atlas-ci baseline update perf" in missing.reason
    path = update_baseline(project, cfg.gate("perf"))
    assert path.parent == root / ".atlas-ci" / "baselines"
    stored = json.loads(path.read_text())["benchmarks"]
    (run,) = stored["benchmarks/test_time.py::test_work"]["runs"]
    assert len(run["times"]) == 3  # three pytest processes of 4 rounds (the defaults)
    assert [len(t) for t in run["times"]] == [4, 4, 4]
    assert stored["benchmarks/test_memory.py::test_build"]["runs"][0]["peak_bytes"] > 100_000
    same = run_check(root, "perf.benchmarks")
    assert same.status == Status.PASSED, same.reason
    assert "stored baseline" in same.reason
    package = root / "src" / "fx" / "__init__.py"
    package.write_text(
        package.read_text()
        .replace("FACTOR = 1", "FACTOR = 2")
        .replace("ALLOC = 4000", "ALLOC = 8000")
    )
    slower = run_check(root, "perf.benchmarks")
    assert slower.status == Status.FAILED, slower.reason
    bigger = run_check(root, "perf.memory")
    assert bigger.status == Status.FAILED, bigger.reason


def test_gate_perf_through_the_cli(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"FACTOR = 1": "FACTOR = 2"})
    configure(root)
    res = atlas_ci("gate", "perf", cwd=root)
    assert res.returncode == 1, res.stdout + res.stderr
    results = checks(report(root))
    timing, memory = results["perf.benchmarks"], results["perf.memory"]
    assert timing["status"] == "failed"
    assert timing["findings"][0]["rule_id"] == "perf-regression"
    assert timing["findings"][0]["location"]["path"] == "benchmarks/test_time.py"
    assert memory["status"] == "passed"
    only = atlas_ci("gate", "perf", "--only", "memory", "--base", "HEAD", cwd=root)
    assert only.returncode == 0, only.stdout + only.stderr
    assert list(checks(report(root))) == ["perf.memory"]


def test_baseline_update_through_the_cli(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    configure(root, mode="baseline")
    res = atlas_ci("baseline", "update", "perf", cwd=root)
    assert res.returncode == 0, res.stdout + res.stderr
    (written,) = (root / ".atlas-ci" / "baselines").glob("perf-*.json")
    assert "benchmarks/test_time.py::test_work" in json.loads(written.read_text())["benchmarks"]
