"""SIGINT during a reliability check leaves no service, Locust or Locust worker behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.procs import wait_for
from helpers.reliability import FIXTURES, pids_in

LOAD = """
[gates.reliability.load]
locustfile = "locustfile.py"
run_time = 60
processes = 2
"""
CONFIGS = {"load": LOAD}


def _repo(tmp_path: Path, check: str) -> Path:
    for name in ("fixture_http.py", "steady.py", "locustfile.py"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "atlas-ci.toml").write_text(
        "[gates.reliability.service]\n"
        f'argv = ["{sys.executable}", "steady.py", "{{port}}"]\n' + CONFIGS[check]
    )
    return tmp_path


@pytest.mark.parametrize("check", sorted(CONFIGS))
def test_sigint_leaves_nothing_running(tmp_path: Path, check: str) -> None:
    root = _repo(tmp_path, check)
    proc = subprocess.Popen(
        [sys.executable, "-m", "atlas_ci", "gate", "reliability", "--only", check],
        cwd=root,
        env={**os.environ, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # Wait until the service and Locust's master and two workers are all up.
        assert wait_for(lambda: len(pids_in(root, (proc.pid,))) >= 4, timeout=60)
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, out.decode(errors="replace")[-2000:]
    assert wait_for(lambda: not pids_in(root), timeout=10), pids_in(root)
