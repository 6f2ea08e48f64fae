"""actionlint and `zizmor --offline` report nothing on the five workflows and the action."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from helpers.workflows import REPO, WORKFLOW_NAMES, WORKFLOWS

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed (it comes with the dev extra / atlas-ci's deps)"
    return found


def test_actionlint_reports_nothing() -> None:
    # actionlint also reads action.yml through the `uses: ./` step of ci.yml (inputs, outputs).
    files = [str(WORKFLOWS / n) for n in WORKFLOW_NAMES]
    res = subprocess.run(
        [_tool("actionlint"), "-no-color", *files],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert not res.stdout.strip(), res.stdout


def test_zizmor_offline_reports_nothing() -> None:
    res = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-progress", "action.yml", ".github/workflows"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "No findings to report" in res.stdout, res.stdout + res.stderr
