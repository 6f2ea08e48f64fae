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
