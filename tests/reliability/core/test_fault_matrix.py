"""The fault matrix: every built-in static check and a tests category, through `command`, on a
bad day — missing program, not executable, E2BIG, empty output, garbage, wrong JSON shape,
segfault, SIGKILL, hang, background and setsid grandchildren, 1 GiB of output, Rich markup and
ANSI on stderr, findings outside the repository.

One in-process CLI run per fault mode covers all eight checks at once (they run in parallel), so
the module stays fast. Each run must end with the right status for every check, the documented
exit code, no process of the case left, and JSON and SARIF reports that are valid.
"""

from __future__ import annotations

import json
import stat
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers.cli import SHARED_SCHEMA
from helpers.procs import pids_with
from typer.testing import CliRunner

from atlas_ci.cli import app

CHECKS = {
    # check id -> (config table, kind of output its tool prints)
    "quality.lint": ("gates.quality.lint", "lint"),
    "quality.format": ("gates.quality.format", "format"),
    "quality.types": ("gates.quality.types", "types"),
    "quality.complexity": ("gates.quality.complexity", "complexity"),
    "security.bandit": ("gates.security.bandit", "bandit"),
    "security.secrets": ("gates.security.secrets", "secrets"),
    "security.workflows": ("gates.security.workflows", "workflows"),
    "tests.unit": ("gates.tests.categories.unit", "tests"),
}
# The checks built on the adapter kit, whose reasons are its standard messages.
KIT = {c for c in CHECKS if not c.startswith("tests.")}

# The fake tool: a small script per case that runs helpers/fault_tool.py in its mode.
WRAPPER = """#!{python}
import sys
sys.path.insert(0, {helpers!r})
import fault_tool
fault_tool.main({mode!r}, {kind!r}, {mark!r})
"""
HELPERS = Path(__file__).resolve().parents[2] / "helpers"


@dataclass(frozen=True)
class Mode:
    name: str
    exit_code: int
    # Expected status of every check, and words its reason must hold (kit checks only).
    status: str = "error"
    reason: str = ""
    timeout: float = 60.0


MODES = [
    Mode("missing", 3, reason="program not found"),
    Mode("not-executable", 3, reason="is not executable"),
    Mode("e2big", 3, reason="argument list is too long"),
    Mode("empty", 3),
    Mode("garbage", 3),
    Mode("wrong-shape", 3),
    Mode("segfault", 3, reason="SIGSEGV"),
    Mode("sigkill", 3, reason="SIGKILL"),
    Mode("hang", 3, reason="timed out after 1.5s", timeout=1.5),
    Mode("background", 0, status="passed"),
    Mode("setsid", 0, status="passed"),
    Mode("flood", 3, reason="MiB of output"),
    Mode("markup", 3),
    Mode("outside", 3, reason="outside the repository"),
]


def _project(root: Path) -> None:
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("def f() -> int:\n    return 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_a.py").write_text("def test_a() -> None:\n    assert True\n")
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text("on: push\njobs: {}\n")


def _command(root: Path, mode: Mode, kind: str, mark: str) -> list[str]:
    script = root / "fake" / f"{kind}-{mark}"
    script.parent.mkdir(exist_ok=True)
    if mode.name == "missing":
        return [str(script)]
    script.write_text(
        WRAPPER.format(
            python=sys.executable, helpers=str(HELPERS), mode=mode.name, kind=kind, mark=mark
        )
    )
    if mode.name != "not-executable":
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    if mode.name == "e2big":
        # One argument over Linux's 128 KiB per-argument limit.
        return [str(script), "x" * 200_000]
    return [str(script)]


def _config(root: Path, mode: Mode, mark: str) -> str:
    tables = ['[project]\npaths = ["src"]\n']
    for table, kind in CHECKS.values():
        command = json.dumps(_command(root, mode, kind, mark))
        extra = "coverage = false\n" if kind == "tests" else ""
        tables.append(f"[{table}]\ncommand = {command}\ntimeout = {mode.timeout}\n{extra}")
    return "\n".join(tables)


def _leftovers(mark: str) -> list[int]:
    # The fake's own processes carry the marker in their path, grandchildren in their argv.
    return pids_with(mark)


def _assert_verdicts(found: dict[str, dict[str, Any]], mode: Mode) -> None:
    assert set(found) == set(CHECKS)
    for check, result in found.items():
        reason = result["reason"]
        assert result["status"] == mode.status, f"{check}: {reason}"
        if mode.reason and check in KIT:
            assert mode.reason in reason, f"{check}: {reason}"
        assert "Traceback" not in reason, f"{check}: {reason}"
        assert "\x1b" not in reason, f"{check}: ANSI in its reason"


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SHARED_SCHEMA.read_text())
    return schema


@pytest.mark.parametrize("mode", MODES, ids=[m.name for m in MODES])
def test_every_check_survives_the_fault(
    mode: Mode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sarif_schema: dict[str, Any]
) -> None:
    mark = f"atlas-ci-fault-{uuid.uuid4().hex}"
    _project(tmp_path)
    (tmp_path / "atlas-ci.toml").write_text(_config(tmp_path, mode, mark))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    only = [arg for check in CHECKS for arg in ("--only", check)]
    res = CliRunner().invoke(app, ["gate", "all", *only, "-j", "8"], catch_exceptions=True)

    output = res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), output
    report = json.loads((tmp_path / "reports" / "atlas-ci.json").read_text())
    _assert_verdicts({c["check"]: c for g in report["gates"] for c in g["checks"]}, mode)
    assert res.exit_code == mode.exit_code, output
    assert "Traceback" not in output

    sarif = json.loads((tmp_path / "reports" / "atlas-ci.sarif").read_text())
    jsonschema.validate(sarif, sarif_schema)
    # Right away, not eventually: the run kills and reaps before it returns.
    assert not _leftovers(mark), f"processes of the case outlived it: {_leftovers(mark)}"
