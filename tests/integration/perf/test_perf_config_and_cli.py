"""The perf gate as users drive it: atlas-ci.toml, stored baselines, the real CLI."""

from __future__ import annotations

import json
import platform
import re
import shutil
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
timer = "{timer}"
paths = ["benchmarks/test_time.py"]
pythonpath = ["src"]
args = ["-p", "no:hypothesispytest"]

[gates.perf.memory]
paths = ["benchmarks/test_memory.py"]
"""


HAS_VALGRIND = shutil.which("valgrind") is not None


def configure(root: Path, mode: str = "relative", timer: str = "auto") -> None:
    (root / "atlas-ci.toml").write_text(CONFIG.format(mode=mode, timer=timer))


def run_check(root: Path, check_id: str) -> CheckResult:
    cfg = config.load(root)
    planned = {p.id: p for p in plan.all_checks(cfg, ["perf"])}[check_id]
    return runner.run_one(planned, config.project_info(cfg, root, root / "reports"))


@pytest.mark.slow
@pytest.mark.skipif(not HAS_VALGRIND, reason="valgrind is not installed")
def test_stored_instruction_counts_are_compared_exactly(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    configure(root, mode="baseline", timer="instructions")
    cfg = config.load(root)
    project = config.project_info(cfg, root, root / "reports")
    missing = run_check(root, "perf.benchmarks")
    assert missing.status == Status.ERROR
    assert "atlas-ci baseline update perf" in missing.reason
    path = update_baseline(project, cfg.gate("perf"))
    assert path.parent == root / ".atlas-ci" / "baselines"
    # Keyed on the interpreter's full version, the architecture and valgrind, not the host.
    assert re.fullmatch(r"perf-instructions-cpython3\.\d+\.\d+-\w+-valgrind[\d.]+\.json", path.name)
    assert platform.node() not in path.read_text()
    stored = json.loads(path.read_text())["benchmarks"]
    (run,) = stored["benchmarks/test_time.py::test_work"]["runs"]
    assert run["instructions"] > 1_000_000
    assert stored["benchmarks/test_memory.py::test_build"]["runs"][0]["peak_bytes"] > 100_000
    same = run_check(root, "perf.benchmarks")
    assert same.status == Status.PASSED, same.reason
    assert "stored baseline" in same.reason
    head = {m.name: m.value for m in same.metrics}
    assert abs(head["benchmarks/test_time.py::test_work.ratio"] - 1) < 1e-4
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


@pytest.mark.slow
def test_stored_cpu_timings_never_fail_the_same_code_nor_pass_twice_as_slow(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    configure(root, mode="baseline", timer="cpu")
    cfg = config.load(root)
    path = update_baseline(config.project_info(cfg, root, root / "reports"), cfg.gate("perf"))
    assert path.name.startswith("perf-cpu-cpython3.")
    (run,) = json.loads(path.read_text())["benchmarks"]["benchmarks/test_time.py::test_work"][
        "runs"
    ]
    assert [len(t) for t in run["times"]] == [4, 4, 4]  # three pytest processes of 4 rounds
    same = run_check(root, "perf.benchmarks")
    assert same.status != Status.FAILED, same.reason
    package = root / "src" / "fx" / "__init__.py"
    package.write_text(package.read_text().replace("FACTOR = 1", "FACTOR = 2"))
    slower = run_check(root, "perf.benchmarks")
    assert slower.status != Status.PASSED, slower.reason


def test_gate_perf_through_the_cli(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"FACTOR = 1": "FACTOR = 2"})
    configure(root)
    res = atlas_ci("gate", "perf", cwd=root)
    # Instruction counts (valgrind here) fail 2x slower; the cpu timer may say "cannot judge".
    assert res.returncode == 1 if HAS_VALGRIND else res.returncode in (1, 3), (
        res.stdout + res.stderr
    )
    results = checks(report(root))
    timing, memory = results["perf.benchmarks"], results["perf.memory"]
    if not HAS_VALGRIND and timing["status"] == "error":
        return
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
    runs = json.loads(written.read_text())["benchmarks"]["benchmarks/test_time.py::test_work"]
    if HAS_VALGRIND:  # timer = "auto": instruction counts, keyed on valgrind's version too
        assert written.name.startswith("perf-instructions-cpython3.")
        assert "-valgrind" in written.name
        assert runs["runs"][0]["instructions"] > 1_000_000


def test_doctor_reports_valgrind(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    configure(root)
    res = atlas_ci("doctor", cwd=root)
    lines = [line for line in res.stdout.splitlines() if line.startswith("perf.benchmarks")]
    valgrind = [line for line in lines if " valgrind " in line]
    assert len(valgrind) == 1, res.stdout
    if HAS_VALGRIND:
        assert re.search(r"valgrind\s+\d+\.\d+", valgrind[0]), valgrind
    else:
        assert "not installed: perf uses the cpu timer" in valgrind[0]
