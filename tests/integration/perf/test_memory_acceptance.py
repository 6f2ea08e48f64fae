"""perf.memory on real repositories: the tracemalloc plugin, head against base."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from atlas_ci.errors import CheckError
from atlas_ci.model import Status

from .conftest import RunCheck, git, make_repo

pytestmark = pytest.mark.integration

PLUGIN = (
    Path(__file__).resolve().parents[3] / "src" / "atlas_ci" / "checks" / "perf" / "_memplugin.py"
)


def test_the_plugin_measures_peak_bytes_per_call(tmp_path: Path) -> None:
    (tmp_path / "plug").mkdir()
    (tmp_path / "plug" / "_atlas_ci_memplugin.py").write_text(PLUGIN.read_text())
    (tmp_path / "test_m.py").write_text(
        "import pytest\n\n"
        "def make(n):\n    return [bytearray(1000) for _ in range(n)]\n\n"
        "def test_call(benchmark):\n    assert len(benchmark(make, 100)) == 100\n\n"
        "@pytest.mark.benchmark(group='g')\n"
        "def test_pedantic(benchmark):\n"
        "    benchmark.pedantic(make, setup=lambda: ((200,), {}), rounds=5)\n\n"
        "def test_plain():\n    raise AssertionError('deselected, never run')\n"
    )
    out = tmp_path / "peaks.json"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "_atlas_ci_memplugin",
            "-p",
            "no:benchmark",
            "--strict-markers",
            "test_m.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={
            "PYTHONPATH": str(tmp_path / "plug"),
            "ATLAS_CI_MEMORY_OUT": str(out),
            "PATH": "/usr/bin:/bin",
        },
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "2 passed, 1 deselected" in res.stdout
    peaks = json.loads(out.read_text())["peaks"]
    assert 100_000 < peaks["test_m.py::test_call"] < 120_000
    assert 200_000 < peaks["test_m.py::test_pedantic"] < 240_000


def test_doubled_allocations_fail_every_run(tmp_path: Path, run_memory: RunCheck) -> None:
    root = make_repo(tmp_path / "repo", {"ALLOC = 4000": "ALLOC = 8000"})
    results = [run_memory(root) for _ in range(3)]
    assert [r.status for r in results] == [Status.FAILED] * 3, [r.reason for r in results]
    for r in results:
        (finding,) = r.findings
        assert finding.rule_id == "perf-memory-growth"
        assert finding.location is not None
        assert finding.location.path == "benchmarks/test_memory.py"
        ratio = {m.name: m.value for m in r.metrics}[
            "benchmarks/test_memory.py::test_build.memory_ratio"
        ]
        assert 1.9 < ratio < 2.1


def test_same_allocations_pass(tmp_path: Path, run_memory: RunCheck) -> None:
    root = make_repo(tmp_path / "repo", {"N = 70000": "N = 140000"})  # slower, not bigger
    r = run_memory(root)
    assert r.status == Status.PASSED, r.reason
    metrics = {m.name: m.value for m in r.metrics}
    head = metrics["benchmarks/test_memory.py::test_build.head_peak_bytes"]
    assert head == metrics["benchmarks/test_memory.py::test_build.base_peak_bytes"]
    assert head > 4000 * 40  # 4000 short strings and the list holding them


def test_memory_cannot_pass_when_it_could_not_measure(tmp_path: Path, run_memory: RunCheck) -> None:
    # A benchmark that never calls the fixture measured nothing: an error, not "nothing to compare".
    lazy = {"test_lazy.py": "def test_lazy(benchmark):\n    pass\n"}
    root = make_repo(tmp_path / "lazy", bench_files=lazy)
    with pytest.raises(CheckError, match=r"measured no allocation .*test_lazy"):
        run_memory(root, bench="test_lazy.py")
    # A base whose benchmark fails cannot be compared with: an error too, never a pass or a skip.
    broken = {
        "test_memory.py": "from fx import build\n\n\ndef test_build(benchmark):\n"
        "    benchmark(build)\n    raise AssertionError('broken on the base')\n"
    }
    root = make_repo(tmp_path / "broken", bench_files=broken)
    (root / "benchmarks" / "test_memory.py").write_text(
        "from fx import build\n\n\ndef test_build(benchmark):\n    benchmark(build)\n"
    )
    git(root, "commit", "-qam", "fix the benchmark")
    with pytest.raises(CheckError, match=r"perf\.memory could not measure base"):
        run_memory(root)
