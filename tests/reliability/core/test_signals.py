"""Signals at any moment end with exit 130, complete reports marked interrupted, no child left.

Moments: during start-up (0.15 s after start), before the first check, during checks, while the
reports are written, and repeated signals during the shutdown. Through the real CLI where the
moment can be reached from outside (a tool that is running is visible by its marker); in-process
with a real signal sent to the test process itself where it cannot (between two statements).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import REPO, SHARED_SCHEMA, checks, report, write_config
from helpers.procs import pids_with, wait_for
from typer.testing import CliRunner

from atlas_ci import interrupts, pipeline, process, reportdir
from atlas_ci.cli import app
from atlas_ci.runner import NOT_STARTED

RUNNING = "interrupted while running"


def _slow_tool(marker: str, *, ignore_term: bool = False) -> list[str]:
    """A tool that starts a grandchild (found by `marker`) and hangs; optionally deaf to SIGTERM,
    so that the shutdown takes its full grace period while more signals arrive."""
    code = (
        "import signal, subprocess, time\n"
        + ("signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" if ignore_term else "")
        + f"subprocess.Popen(['bash', '-c', 'exec -a {marker} sleep 300'])\n"
        + "time.sleep(300)\n"
    )
    return [sys.executable, "-c", code]


def _grandchild_up(marker: str) -> bool:
    """The tool's grandchild runs (its argv[0] is the marker): the tool's set-up is done.

    The tool's own command line holds the marker too, so a plain match would fire before the
    tool had run a line (and, say, had started ignoring SIGTERM)."""
    for pid in pids_with(marker):
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(marker.encode()):
                return True
    return False


def _config(root: Path, lint: list[str], fmt: list[str] | None = None) -> None:
    text = f"[gates.quality.lint]\ncommand = {json.dumps(lint)}\ntimeout = 300\n"
    if fmt is not None:
        text += f"[gates.quality.format]\ncommand = {json.dumps(fmt)}\ntimeout = 300\n"
    write_config(root, text)
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "mod.py").write_text("x = 1\n")


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "atlas_ci", "gate", "quality", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _assert_complete_interrupted_report(root: Path, expected: dict[str, str]) -> dict[str, Any]:
    """Valid JSON and SARIF, marked interrupted, every planned check present with its reason."""
    rep = report(root)
    assert rep["interrupted"] is True
    found = checks(rep)
    for check, reason in expected.items():
        assert found[check]["reason"] == reason, (check, found[check])
        assert found[check]["status"] == "error"
    sarif = json.loads((root / "reports" / "atlas-ci.sarif").read_text())
    _validate_sarif(sarif)
    assert "nterrupted" in (root / "reports" / "summary.md").read_text()
    return found


def _validate_sarif(sarif: dict[str, Any]) -> None:
    schema_path = next(
        (
            p
            for p in (SHARED_SCHEMA, REPO.parents[1] / "shared" / "schemas" / SHARED_SCHEMA.name)
            if p.is_file()
        ),
        None,
    )
    assert sarif["version"] == "2.1.0"
    if schema_path is None:
        return
    import jsonschema

    schema = json.loads(schema_path.read_text())
    assert list(jsonschema.validators.validator_for(schema)(schema).iter_errors(sarif)) == []


def _no_traceback(out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert "KeyboardInterrupt" not in out + err


def test_sigint_during_checks(tmp_path: Path) -> None:
    lint, fmt = f"lint-{uuid.uuid4().hex}", f"fmt-{uuid.uuid4().hex}"
    _config(tmp_path, _slow_tool(lint), _slow_tool(fmt))
    proc = _start(tmp_path, "--only", "lint", "--only", "format", "-j", "1")
    try:
        assert wait_for(lambda: _grandchild_up(lint), timeout=60), "the tool never started"
        proc.send_signal(signal.SIGINT)
    finally:
        out, err = _finish(proc)
    assert proc.returncode == 130, out + err
    _no_traceback(out, err)
    # -j 1: format was queued behind lint and never began.
    _assert_complete_interrupted_report(
        tmp_path, {"quality.lint": RUNNING, "quality.format": NOT_STARTED}
    )
    assert not pids_with(fmt), "a check that never started ran its tool"
    assert wait_for(lambda: not pids_with(lint), timeout=10), "a child outlived the interrupt"


@pytest.mark.parametrize(
    "signals",
    [
        (signal.SIGINT, signal.SIGINT),
        (signal.SIGINT, signal.SIGINT, signal.SIGTERM),
        (signal.SIGTERM, signal.SIGTERM, signal.SIGTERM),
    ],
    ids=["SIGINT-SIGINT", "SIGINT-SIGINT-SIGTERM", "SIGTERM-x3"],
)
def test_more_signals_during_the_shutdown(tmp_path: Path, signals: tuple[int, ...]) -> None:
    """The tool ignores SIGTERM: the shutdown waits out its grace; the next signals land in it."""
    marker = f"deaf-{uuid.uuid4().hex}"
    _config(tmp_path, _slow_tool(marker, ignore_term=True))
    proc = _start(tmp_path, "--only", "lint")
    try:
        assert wait_for(lambda: _grandchild_up(marker), timeout=60), "the tool never started"
        for sig in signals:
            proc.send_signal(sig)
            time.sleep(0.3)
    finally:
        out, err = _finish(proc)
    assert proc.returncode == 130, out + err
    _no_traceback(out, err)
    _assert_complete_interrupted_report(tmp_path, {"quality.lint": RUNNING})
    assert wait_for(lambda: not pids_with(marker), timeout=10), "a child outlived the interrupt"


def _handlers_installed(pid: int) -> bool:
    """atlas-ci catches SIGTERM (Python alone does not): its handlers are in place."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    caught = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("SigCgt")), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def test_sigint_0_15_s_after_start(tmp_path: Path) -> None:
    marker = f"early-{uuid.uuid4().hex}"
    _config(tmp_path, _slow_tool(marker))
    proc = _start(tmp_path, "--only", "lint")
    try:
        time.sleep(0.15)
        # On a busy machine the interpreter itself may not be up yet: the moment meant is
        # atlas-ci's own start-up (imports, config), which begins once its handlers are set.
        wait_for(lambda: _handlers_installed(proc.pid), timeout=30, interval=0.005)
        proc.send_signal(signal.SIGINT)
    finally:
        out, err = _finish(proc)
    assert proc.returncode == 130, out + err
    _no_traceback(out, err)
    lint = _assert_complete_interrupted_report(tmp_path, {})["quality.lint"]
    assert lint["reason"] in {NOT_STARTED, RUNNING}
    assert wait_for(lambda: not pids_with(marker), timeout=10), "a child outlived the interrupt"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    interrupts.reset()
    yield tmp_path
    interrupts.reset()
    # An interrupted in-process run leaves process.py refusing to start programs, as it must in
    # a real run that is ending; the next test's run is a new one.
    process._shutdown.clear()


def _quick_tool(ran: Path) -> list[str]:
    """A lint "tool" that leaves a file and reports no finding (ruff's JSON: [])."""
    return [sys.executable, "-c", f"open({str(ran)!r}, 'w').close(); print('[]')"]


def test_signal_before_the_first_check(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = project / "tool-ran"
    _config(project, _quick_tool(ran))
    real_prepare = pipeline.prepare

    def prepare_then_signal(req: pipeline.GateRequest) -> pipeline.Prepared:
        prepared = real_prepare(req)
        os.kill(os.getpid(), signal.SIGINT)  # config loaded, nothing started yet
        return prepared

    monkeypatch.setattr(pipeline, "prepare", prepare_then_signal)
    res = CliRunner().invoke(app, ["gate", "quality", "--only", "lint", "-q"])
    assert res.exit_code == 130, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    _no_traceback(res.output, "")
    _assert_complete_interrupted_report(project, {"quality.lint": NOT_STARTED})
    assert not ran.exists(), "a check started after the interrupt"


def test_signal_while_reports_are_written(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = project / "tool-ran"
    _config(project, _quick_tool(ran))
    real_write = reportdir.write_files
    calls: list[int] = []

    def write_with_signal(root: Path, files: dict[str, str]) -> list[Path]:
        calls.append(len(files))
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGTERM)  # lands while the first set is written
        return real_write(root, files)

    monkeypatch.setattr(reportdir, "write_files", write_with_signal)
    res = CliRunner().invoke(app, ["gate", "quality", "--only", "lint", "-q"])
    assert res.exit_code == 130, res.output
    _no_traceback(res.output, "")
    assert ran.exists()
    assert len(calls) == 2, "the reports were not rewritten marked interrupted"
    rep = report(project)
    assert rep["interrupted"] is True
    # Every check had finished: the complete results are kept, not replaced by "interrupted".
    assert checks(rep)["quality.lint"]["status"] == "passed"
    assert sorted(p.name for p in (project / "reports").iterdir()) == [
        "atlas-ci.json",
        "atlas-ci.sarif",
        "summary.md",
    ]
