"""process.run: timeouts kill the whole group, output is capped, missing programs are errors."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
from helpers.procs import pids_with, wait_for

from atlas_ci import process
from atlas_ci.errors import ToolNotFoundError


def test_captures_output_and_exit_code(tmp_path: Path) -> None:
    res = process.run(
        [
            sys.executable,
            "-c",
            "import sys; print('out'); print('err', file=sys.stderr); sys.exit(4)",
        ],
        cwd=tmp_path,
        timeout=30,
    )
    assert (res.returncode, res.stdout.strip(), res.stderr.strip()) == (4, "out", "err")
    assert not res.timed_out


def test_timeout_kills_program_and_its_children(tmp_path: Path) -> None:
    marker = f"sleep-{uuid.uuid4().hex}"
    # The child is named through argv[0] so the test can find it in /proc afterwards.
    code = (
        f"import subprocess, time; subprocess.Popen(['bash', '-c', 'exec -a {marker} sleep 300']); "
        "time.sleep(300)"
    )
    res = process.run([sys.executable, "-c", code], cwd=tmp_path, timeout=1.5)
    assert res.timed_out
    assert wait_for(lambda: not pids_with(marker), timeout=10), "child outlived the timeout"


def test_children_left_behind_by_a_finished_program_are_reaped(tmp_path: Path) -> None:
    marker = f"orphan-{uuid.uuid4().hex}"
    code = f"import subprocess; subprocess.Popen(['bash', '-c', 'exec -a {marker} sleep 300'])"
    res = process.run([sys.executable, "-c", code], cwd=tmp_path, timeout=30)
    assert res.returncode == 0
    assert wait_for(lambda: not pids_with(marker), timeout=10)


def test_output_is_capped_without_blocking_the_child(tmp_path: Path) -> None:
    code = "import sys; sys.stdout.write('x' * 5_000_000); sys.stdout.flush()"
    res = process.run([sys.executable, "-c", code], cwd=tmp_path, timeout=60, output_cap=1000)
    assert res.returncode == 0
    assert len(res.stdout) == 1000
    assert res.truncated


def test_missing_program_raises_tool_not_found(tmp_path: Path) -> None:
    with pytest.raises(ToolNotFoundError, match="no-such-tool-xyz"):
        process.run(["no-such-tool-xyz", "--version"], cwd=tmp_path, timeout=5)
    with pytest.raises(ToolNotFoundError):
        process.run([str(tmp_path / "missing")], cwd=tmp_path, timeout=5)


def test_service_stops_whole_group(tmp_path: Path) -> None:
    marker = f"svc-{uuid.uuid4().hex}"
    svc = process.start(
        ["bash", "-c", f"(exec -a {marker} sleep 300) & wait"],
        cwd=tmp_path,
        log_path=tmp_path / "svc.log",
    )
    assert wait_for(lambda: bool(pids_with(marker)), timeout=10)
    svc.stop(grace=2)
    assert not svc.alive()
    assert wait_for(lambda: not pids_with(marker), timeout=10)


def _marked(marker: str) -> str:
    """A shell command that runs `sleep 300` under argv[0] = marker (found in /proc by it)."""
    return f"exec -a {marker} sleep 300"


def test_a_setsid_grandchild_holding_stdout_costs_neither_output_nor_time(tmp_path: Path) -> None:
    marker = f"setsid-{uuid.uuid4().hex}"
    # The grandchild leaves the group (new session) and keeps stdout and stderr open.
    code = (
        "import subprocess, sys\n"
        f"subprocess.Popen(['setsid', 'bash', '-c', {_marked(marker)!r}])\n"
        "print('[\"the output\"]'); sys.stdout.flush()\n"
    )
    res = process.run([sys.executable, "-c", code], cwd=tmp_path, timeout=60)
    assert res.stdout.strip() == '["the output"]'
    assert res.returncode == 0
    assert res.duration < 30, "waited for the grandchild's EOF"
    assert not pids_with(marker), "the setsid grandchild outlived the run"


def test_a_double_forked_daemon_does_not_survive(tmp_path: Path) -> None:
    marker = f"daemon-{uuid.uuid4().hex}"
    code = (
        "import os, subprocess\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        subprocess.Popen(['bash', '-c', {_marked(marker)!r}], stdout=subprocess.DEVNULL,"
        " stderr=subprocess.DEVNULL).wait()\n"
        "    os._exit(0)\n"
        "os.wait()\n"
    )
    res = process.run([sys.executable, "-c", code], cwd=tmp_path, timeout=60)
    assert res.returncode == 0
    assert wait_for(lambda: not pids_with(marker), timeout=10), "the daemon outlived the run"


def test_background_jobs_of_a_shell_are_killed_after_it_exits(tmp_path: Path) -> None:
    marker = f"bg-{uuid.uuid4().hex}"
    script = f"({_marked(marker)}) & ({_marked(marker)}) & echo done"
    res = process.run(["bash", "-c", script], cwd=tmp_path, timeout=60)
    assert res.stdout.strip() == "done"
    assert not pids_with(marker)


def test_a_setsid_grandchild_is_killed_on_timeout_too(tmp_path: Path) -> None:
    marker = f"setsid-timeout-{uuid.uuid4().hex}"
    script = f"setsid bash -c {_marked(marker)!r} & sleep 300"
    res = process.run(["bash", "-c", script], cwd=tmp_path, timeout=1.0)
    assert res.timed_out
    assert not pids_with(marker)


def test_output_past_the_cap_can_stop_the_program_early(tmp_path: Path) -> None:
    code = "import sys\nwhile True: sys.stdout.write('x' * 65536)"
    res = process.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        timeout=60,
        output_cap=100_000,
        stop_on_overflow=True,
    )
    assert res.truncated
    assert not res.timed_out
    assert len(res.stdout) == 100_000


def test_checks_in_parallel_never_kill_each_others_programs(tmp_path: Path) -> None:
    import threading

    marker = f"neighbour-{uuid.uuid4().hex}"
    outcome: dict[str, process.ProcessResult] = {}

    def neighbour() -> None:
        outcome["slow"] = process.run(
            ["bash", "-c", f"sleep 2; echo still-here; ({_marked(marker)}) & true"],
            cwd=tmp_path,
            timeout=60,
        )

    thread = threading.Thread(target=neighbour)
    thread.start()
    # Short runs finishing meanwhile clean up their own descendants only.
    for _ in range(5):
        process.run(["bash", "-c", "(sleep 30) & true"], cwd=tmp_path, timeout=30)
    thread.join()
    assert outcome["slow"].stdout.strip() == "still-here"
    assert not pids_with(marker)


def test_service_stops_a_setsid_descendant(tmp_path: Path) -> None:
    marker = f"svc-setsid-{uuid.uuid4().hex}"
    svc = process.start(
        ["bash", "-c", f"setsid bash -c {_marked(marker)!r} & wait"],
        cwd=tmp_path,
        log_path=tmp_path / "svc.log",
    )
    assert wait_for(lambda: bool(pids_with(marker)), timeout=10)
    svc.stop(grace=2)
    assert wait_for(lambda: not pids_with(marker), timeout=10)
