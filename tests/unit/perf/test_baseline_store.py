"""Stored baselines: the file format, pooling of recorded runs, the machine key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas_ci.checks.perf import baseline
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


def test_machine_key_is_stable_and_names_the_python() -> None:
    key = baseline.machine_key("cpython3.11")
    assert key == baseline.machine_key("cpython3.11")
    assert key.endswith("-cpython3.11")
    assert key != baseline.machine_key("cpython3.12")
