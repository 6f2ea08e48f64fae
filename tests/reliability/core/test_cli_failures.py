"""Fail closed through the real CLI: bad config exits 2; broken or interrupted tools never pass."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, checks, report, write_config
from helpers.procs import pids_with, wait_for


def _project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "mod.py").write_text("x = 1\n")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[gates.quality.lint]\nbogus = 1\n",
            ["atlas-ci.toml:2", "gates.quality.lint.bogus", "unknown key"],
        ),
        (
            '[gates.quality.lint]\ntimeout = "x"\n',
            ["atlas-ci.toml:2", "gates.quality.lint.timeout"],
        ),
        ("[gates.quality.lint\n", ["atlas-ci.toml:1", "malformed TOML"]),
    ],
)
def test_bad_config_exits_2_with_one_clear_message(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    write_config(_project(tmp_path), text)
    res = atlas_ci("gate", "quality", cwd=tmp_path)
    assert res.returncode == 2
    for words in expected:
        assert words in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "reports").exists(), "nothing may run on a config error"


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    res = atlas_ci("gate", "quality", "--config", "nope.toml", cwd=_project(tmp_path))
    assert res.returncode == 2
    assert "nope.toml" in res.stderr
    assert "not found" in res.stderr
    assert "Traceback" not in res.stderr


def test_unknown_check_name_exits_2(tmp_path: Path) -> None:
    res = atlas_ci("gate", "quality", "--only", "nosuch", cwd=_project(tmp_path))
    assert res.returncode == 2
    assert "nosuch" in res.stderr


def _with_command(tmp_path: Path, argv: list[str], timeout: float = 60) -> None:
    write_config(
        _project(tmp_path),
        f"[gates.quality.lint]\ncommand = {json.dumps(argv)}\ntimeout = {timeout}\n",
    )


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["/nonexistent/bin/ruff"], "not found"),
        ([sys.executable, "-c", "import os; os.abort()"], "SIGABRT"),
        ([sys.executable, "-c", "print('this is not json')"], "not JSON"),
        ([sys.executable, "-c", "print('{\"a\": 1}')"], "unexpected shape"),
    ],
    ids=["missing", "crash", "garbage", "wrong-shape"],
)
def test_broken_tool_is_error_and_exit_3(tmp_path: Path, argv: list[str], reason: str) -> None:
    _with_command(tmp_path, argv)
    res = atlas_ci("gate", "quality", "--only", "lint", cwd=tmp_path)
    assert res.returncode == 3, res.stdout + res.stderr
    lint = checks(report(tmp_path))["quality.lint"]
    assert lint["status"] == "error"
    assert reason in lint["reason"]


def test_hanging_tool_times_out_and_leaves_nothing_behind(tmp_path: Path) -> None:
    marker = f"hang-{uuid.uuid4().hex}"
    code = (
        f"import subprocess, time; subprocess.Popen(['bash', '-c', 'exec -a {marker} sleep 300']); "
        "time.sleep(300)"
    )
    _with_command(tmp_path, [sys.executable, "-c", code], timeout=2)
    res = atlas_ci("gate", "quality", "--only", "lint", cwd=tmp_path)
    assert res.returncode == 3
    lint = checks(report(tmp_path))["quality.lint"]
    assert lint["status"] == "error"
    assert "timed out" in lint["reason"]
    assert wait_for(lambda: not pids_with(marker), timeout=10), "the hanging tool's child survived"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_exits_130_with_partial_report_and_no_children(tmp_path: Path, sig: int) -> None:
    marker = f"int-{uuid.uuid4().hex}"
    code = (
        f"import subprocess, time; subprocess.Popen(['bash', '-c', 'exec -a {marker} sleep 300']); "
        "time.sleep(300)"
    )
    _with_command(tmp_path, [sys.executable, "-c", code], timeout=300)
    proc = subprocess.Popen(
        [sys.executable, "-m", "atlas_ci", "gate", "quality", "--only", "lint"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        assert wait_for(lambda: bool(pids_with(marker)), timeout=60), "tool never started"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, out + err
    rep = report(tmp_path)
    assert rep["interrupted"] is True
    assert checks(rep)["quality.lint"]["status"] == "error"
    assert wait_for(lambda: not pids_with(marker), timeout=10), "a child outlived the interrupt"
    assert "Traceback" not in err
