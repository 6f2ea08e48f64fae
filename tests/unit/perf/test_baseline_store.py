"""Stored baselines: the file format, pooling of recorded runs, the machine key."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import pytest

from atlas_ci.checks.base import ProjectInfo
from atlas_ci.checks.perf import baseline
from atlas_ci.checks.perf.settings import PerfGateSettings
from atlas_ci.checks.perf.timer import Timer
from atlas_ci.errors import CheckError

pytestmark = pytest.mark.unit


def write(path: Path, runs: dict[str, list[dict[str, object]]]) -> Path:
    data = {
        "schema_version": 1,
        "machine": {},
        "benchmarks": {name: {"runs": entries} for name, entries in runs.items()},
    }
    path.write_text(json.dumps(data))
    return path


def entry(times: list[list[float]], peak: int | None = None) -> dict[str, object]:
    return {
        "commit": "abc",
        "recorded_at": "2026-01-01T00:00:00+00:00",
        "iterations": 1,
        "times": times,
        "peak_bytes": peak,
    }


def test_stored_samples_pool_the_last_history_runs_keeping_processes_apart(tmp_path: Path) -> None:
    path = write(
        tmp_path / "b.json",
        {
            "t::a": [
                entry([[9.0, 9.0]]),  # older than the history kept: ignored
                entry([[1.0, 1.1], [1.2]]),
                entry([[2.0]]),
            ]
        },
    )
    samples = baseline.stored_samples(baseline.load(path), history=2)
    assert samples["t::a"].runs == ((1.0, 1.1), (1.2,), (2.0,))


def test_stored_peaks_take_the_latest_measured_run(tmp_path: Path) -> None:
    path = write(
        tmp_path / "b.json",
        {"t::a": [entry([[1.0]], 100), entry([[1.0]], 200), entry([[1.0]], None)]},
    )
    assert baseline.stored_peaks(baseline.load(path)) == {"t::a": 200}


def test_a_missing_file_is_an_empty_baseline(tmp_path: Path) -> None:
    assert baseline.load(tmp_path / "nothing.json") == {}


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"schema_version": 99, "benchmarks": {}}',
        '{"schema_version": 1, "benchmarks": []}',
    ],
)
def test_an_unreadable_baseline_is_an_error_not_an_empty_one(tmp_path: Path, text: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(CheckError, match="unreadable stored baseline"):
        baseline.load(path)


def test_the_key_names_what_decides_comparability_and_not_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instr = Timer("instructions", "", None, valgrind="3.19.0")
    cpu = Timer("cpu", "", None)
    assert baseline.key(instr, "cpython3.11.7", "x86_64") == (
        "instructions-cpython3.11.7-x86_64-valgrind3.19.0"
    )
    assert baseline.key(cpu, "cpython3.11", "x86_64") == "cpu-cpython3.11-x86_64"
    # Another valgrind, interpreter or architecture is another file; another host is not.
    assert baseline.key(
        Timer("instructions", "", None, valgrind="3.22.0"), "cpython3.11.7", "x86_64"
    ) != (baseline.key(instr, "cpython3.11.7", "x86_64"))
    assert baseline.key(cpu, "cpython3.12", "x86_64") != baseline.key(cpu, "cpython3.11", "x86_64")
    assert baseline.key(cpu, "cpython3.11", "aarch64") != baseline.key(cpu, "cpython3.11", "x86_64")
    monkeypatch.setattr(platform, "node", lambda: "another-runner")
    project = ProjectInfo(
        root=Path("/nonexistent"), paths=(), exclude=(), python=sys.executable, report_dir=Path("r")
    )
    monkeypatch.setattr(baseline, "python_tag", lambda p, micro=False: "cpython3.11")
    path = baseline.baseline_file(project, PerfGateSettings(), cpu)
    assert path.name == f"perf-cpu-cpython3.11-{platform.machine()}.json"
    assert "another-runner" not in path.name


def test_stored_counts_take_each_benchmarks_latest_count() -> None:
    runs = {
        "a": [{"instructions": 10}, {"instructions": 12}, {"peak_bytes": 5}],
        "b": [{"times": [[0.1]]}],
    }
    assert baseline.stored_counts(runs) == {"a": 12}
