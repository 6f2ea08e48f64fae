"""reliability.load on real fixture services with real Locust runs (a few seconds each)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.procs import pids_with, wait_for
from helpers.reliability import LOCUSTFILE, pids_in, run, service

from atlas_ci.checks.reliability.load import Load
from atlas_ci.model import Status

# Every user starts at once and the run lasts 5 s: on a 2-core machine under a load average of
# 24, a 3 s run once ended before Locust's first request (an error, rightly: nothing was measured).
SHORT = {"locustfile": LOCUSTFILE, "users": 4, "spawn_rate": 40, "run_time": 5}


def test_steady_service_passes_with_metrics_per_endpoint(tmp_path: Path, metrics_of) -> None:
    res = run(tmp_path, Load(), service("steady.py"), {**SHORT, "user_classes": ["OkUser"]})
    assert res.status is Status.PASSED, res.reason
    m = metrics_of(res)
    assert m["GET /ok requests"] > 20
    assert m["GET /ok failures"] == 0
    assert {"GET /ok p50", "GET /ok p95", "GET /ok p99", "GET /ok request rate"} <= set(m)
    assert m["Aggregated request rate"] > 0
    assert (tmp_path / "reports" / "reliability" / "load.json").is_file()
    assert "reliability/load_stats_history.csv" in res.artifacts


def test_five_percent_500s_on_one_endpoint_fails_naming_it(tmp_path: Path) -> None:
    res = run(tmp_path, Load(), service("flaky.py"), {**SHORT, "user_classes": ["FlakyUser"]})
    assert res.status is Status.FAILED, res.reason
    messages = [f.message for f in res.findings]
    assert any(msg.startswith("GET /flaky: failure ratio") for msg in messages), messages
    assert not any(msg.startswith("GET /ok") for msg in messages), messages


def test_slow_endpoint_fails_its_p95_threshold(tmp_path: Path) -> None:
    limits = {"endpoints": [{"name": "/slow", "method": "GET", "max_p95": 100}]}
    res = run(
        tmp_path, Load(), service("slow.py"), {**SHORT, "user_classes": ["SlowUser"], **limits}
    )
    assert res.status is Status.FAILED, res.reason
    (finding,) = [f for f in res.findings if f.rule_id == "load.p95"]
    assert finding.message.startswith("GET /slow: p95 ")
    assert "> 100 ms" in finding.message


def test_two_local_processes_merge_both_workers_stats(tmp_path: Path, metrics_of) -> None:
    settings = {**SHORT, "user_classes": ["PidUser"], "processes": 2, "run_time": 4}
    res = run(tmp_path, Load(), service("steady.py"), settings)
    assert res.status is Status.PASSED, res.reason
    # Each worker names its requests after its own pid: two names, one merged report.
    names = {
        n.removesuffix(" requests")
        for n in metrics_of(res)
        if n.startswith("GET pid-") and n.endswith(" requests")
    }
    assert len(names) == 2, names
    total = metrics_of(res)["Aggregated requests"]
    assert total == sum(metrics_of(res)[f"{n} requests"] for n in names)


def test_hanging_locust_is_killed_by_the_watchdog(tmp_path: Path) -> None:
    marker = str(tmp_path / "hang_locustfile.py")
    settings = {"locustfile": "hang_locustfile.py", "run_time": 1, "watchdog_margin": 2}
    res = run(tmp_path, Load(), service("steady.py"), settings)
    assert res.status is Status.ERROR
    assert "watchdog" in res.reason
    assert wait_for(lambda: not pids_with(marker), timeout=10)
    assert wait_for(lambda: not pids_in(tmp_path), timeout=10)


def test_no_service_configured_is_skipped_with_the_reason(tmp_path: Path) -> None:
    res = run(tmp_path, Load(), {}, SHORT)
    assert res.status is Status.SKIPPED
    assert "[gates.reliability.service]" in res.reason


def test_service_that_never_gets_healthy_is_an_error_with_its_log(tmp_path: Path) -> None:
    gate = service("steady.py", health="/missing", ready_timeout=2)
    res = run(tmp_path, Load(), gate, SHORT)
    assert res.status is Status.ERROR
    assert "not healthy at /missing" in res.reason
    assert not pids_in(tmp_path)


@pytest.mark.slow  # the same Locust path as the steady test; only the target differs
def test_host_targets_a_running_service_and_lifecycle_checks_skip(tmp_path: Path) -> None:
    import subprocess
    import sys

    from helpers.reliability import FIXTURES

    from atlas_ci.checks.reliability.http import free_port, port_open
    from atlas_ci.checks.reliability.recovery import Recovery

    port = free_port()
    proc = subprocess.Popen([sys.executable, str(FIXTURES / "steady.py"), str(port)])
    try:
        assert wait_for(lambda: port_open("127.0.0.1", port), timeout=20)
        gate = {"host": f"http://127.0.0.1:{port}"}
        res = run(tmp_path, Load(), gate, {**SHORT, "user_classes": ["OkUser"]})
        assert res.status is Status.PASSED, res.reason
        assert not (tmp_path / "reports" / "reliability" / "logs").exists()  # nothing started
        skipped = run(tmp_path, Recovery(), gate, {})
        assert skipped.status is Status.SKIPPED
        assert "host" in skipped.reason
    finally:
        proc.terminate()
        proc.wait(timeout=10)
