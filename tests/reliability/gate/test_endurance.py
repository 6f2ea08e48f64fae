"""reliability.endurance on fixture services: leaks fail with their slope, a steady one passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.reliability import LOCUSTFILE, pids_in, run, service

from atlas_ci.checks.reliability.endurance import Endurance
from atlas_ci.model import Status

SHORT = {
    "locustfile": LOCUSTFILE,
    "user_classes": ["OkUser"],
    "users": 4,
    "spawn_rate": 40,
    "duration": 8,
    "sample_interval": 0.5,
}


def test_memory_growing_1mb_per_second_fails_with_the_slope(tmp_path: Path, metrics_of) -> None:
    res = run(tmp_path, Endurance(), service("leak_memory.py"), SHORT)
    assert res.status is Status.FAILED, res.reason
    (finding,) = [f for f in res.findings if f.rule_id == "endurance.memory-growth"]
    assert finding.message.startswith("memory grows ")
    slope = metrics_of(res)["memory slope"]
    # About 1 MB/s = 3600 MB/h; allow for the sampler's timing on a busy machine.
    assert 1800 < slope < 7200, slope
    assert "MB/h" in finding.message


def test_leaking_file_descriptors_fails(tmp_path: Path) -> None:
    res = run(tmp_path, Endurance(), service("leak_fds.py"), SHORT)
    assert res.status is Status.FAILED, res.reason
    assert [f.rule_id for f in res.findings if f.blocking] == ["endurance.fds-growth"]


def test_service_slowing_down_fails_with_the_p95_drift(tmp_path: Path, metrics_of) -> None:
    # 4 ms slower per second: about 40 ms in the first window, 140 ms in the last. One user, so
    # the requests in flight (threads of the service) stay flat while each takes longer.
    settings = {**SHORT, "users": 1, "duration": 40, "warmup": 0.1}
    res = run(tmp_path, Endurance(), service("slow_down.py"), settings)
    assert res.status is Status.FAILED, res.reason
    assert [f.rule_id for f in res.findings if f.blocking] == ["endurance.latency-drift"]
    m = metrics_of(res)
    assert m["p95 last window"] - m["p95 first window"] > 50, m
    assert not [f for f in res.findings if f.rule_id == "endurance.latency-not-judged"]


def test_short_run_reports_the_p95_drift_as_not_judged(tmp_path: Path, metrics_of) -> None:
    # Locust's p95 covers the last 10 s: in an 8 s run the first and last windows share their
    # requests, so a slowing service is reported, never judged on noise.
    res = run(tmp_path, Endurance(), service("slow_down.py"), SHORT)
    assert res.status is Status.PASSED, res.reason
    (note,) = [f for f in res.findings if f.rule_id == "endurance.latency-not-judged"]
    assert not note.blocking
    assert "a `duration` of at least 40 s judges it" in note.message
    drift = next(x for x in res.metrics if x.name == "p95 drift")
    assert drift.threshold is None
    assert drift.direction is None


def test_steady_service_passes_and_keeps_samples_and_chart(tmp_path: Path, metrics_of) -> None:
    # steady.py refuses to start unless ENDURANCE_TEST, TESTING and CI are set: they are.
    gate = service("steady.py", env={"REQUIRE": "ENDURANCE_TEST,TESTING,CI"})
    res = run(tmp_path, Endurance(), gate, {**SHORT, "duration": 10})
    assert res.status is Status.PASSED, res.reason
    m = metrics_of(res)
    assert {"memory slope 95% low", "fds slope", "threads slope", "p95 drift"} <= set(m)
    out = tmp_path / "reports"
    assert {"reliability/endurance.svg", "reliability/endurance-samples.json"} <= set(res.artifacts)
    assert (out / "reliability" / "endurance.svg").read_text().lstrip().startswith("<?xml")
    samples = json.loads((out / "reliability" / "endurance-samples.json").read_text())
    assert len(samples) >= 15
    assert {"t", "memory_mb", "fds", "threads"} == set(samples[0])
    assert not pids_in(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(5))
def test_steady_service_passes_five_of_five_60s_runs(tmp_path: Path, attempt: int) -> None:
    settings = {**SHORT, "duration": 60, "sample_interval": 1.0}
    res = run(tmp_path, Endurance(), service("steady.py"), settings)
    assert res.status is Status.PASSED, res.reason
