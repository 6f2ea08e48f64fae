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

SERVICE = """
[gates.reliability.service]
argv = ["{python}", "{script}", "{{port}}", "{{db}}"]
database = "items.db"
"""
LOCUST = """
locustfile = "locustfile.py"
user_classes = ["OkUser"]
processes = 2
"""
# check -> (its config, the script of the service, processes to wait for before SIGINT)
CONFIGS = {
    "load": ("[gates.reliability.load]\nrun_time = 60\n" + LOCUST, "steady.py", 4),
    "endurance": ("[gates.reliability.endurance]\nduration = 60\n" + LOCUST, "steady.py", 4),
    "recovery": ("[gates.reliability.recovery]\nkills = 50\n", "serves_corrupt.py", 1),
}


def _repo(tmp_path: Path, check: str) -> Path:
    for source in FIXTURES.glob("*.py"):
        shutil.copy(source, tmp_path / source.name)
    config, script, _ = CONFIGS[check]
    service = SERVICE.format(python=sys.executable, script=script)
    (tmp_path / "atlas-ci.toml").write_text(service + config)
    return tmp_path


@pytest.mark.parametrize(
    "check",
    # Locust's master and workers (load, endurance) in the slow run; a service mid-recovery here.
    [
        "recovery",
        pytest.param("load", marks=pytest.mark.slow),
        pytest.param("endurance", marks=pytest.mark.slow),
    ],
)
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
        # Wait until the service (and Locust's master and two workers) are up.
        assert wait_for(lambda: len(pids_in(root, (proc.pid,))) >= CONFIGS[check][2], timeout=60)
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, out.decode(errors="replace")[-2000:]
    assert wait_for(lambda: not pids_in(root), timeout=10), pids_in(root)
