"""The composite action's gate step, run for real with bash: outputs, exit code, no injection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.workflows import REPO, load


def _gate_script() -> str:
    step = next(s for s in load(REPO / "action.yml")["runs"]["steps"] if s.get("id") == "gate")
    return str(step["run"])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "src" / "ok.py").write_text('"""Fine."""\n\nVALUE = 1\n')
    (root / "atlas-ci.toml").write_text('[project]\npaths = ["src"]\n')
    return root


def _run(project: Path, tmp_path: Path, **inputs: str) -> tuple[int, dict[str, str]]:
    venv = tmp_path / "atlas-ci-venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    link = venv / "bin" / "atlas-ci"
    if not link.exists():
        link.symlink_to(Path(sys.executable).parent / "atlas-ci")
    out = tmp_path / "github_output"
    out.write_text("")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "NO_COLOR": "1",
        "VENV": str(venv),
        "GITHUB_OUTPUT": str(out),
        "GATE": "quality",
        "ARGS": "",
        "CONFIG": "",
        "REPORT_DIR": "reports",
        **inputs,
    }
    res = subprocess.run(
        # The flags GitHub runs `shell: bash` steps with.
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _gate_script()],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
    return res.returncode, outputs


def test_gate_step_sets_the_outputs_and_defers_the_exit_code(project: Path, tmp_path: Path) -> None:
    code, outputs = _run(project, tmp_path, ARGS="--only lint --quiet")
    assert code == 0  # the step itself succeeds so the uploads still run
    assert outputs == {"status": "passed", "exit-code": "0", "sarif": "reports/atlas-ci.sarif"}
    assert (project / "reports" / "atlas-ci.sarif").is_file()


def test_a_failing_gate_reports_failed_and_exit_1(project: Path, tmp_path: Path) -> None:
    (project / "src" / "bad.py").write_text("import os\n")  # F401: unused import
    _, outputs = _run(project, tmp_path, ARGS="--only lint --quiet")
    assert outputs["status"] == "failed"
    assert outputs["exit-code"] == "1"


def test_args_cannot_run_commands(project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    _, outputs = _run(project, tmp_path, ARGS=f"--only lint; touch {marker} $(touch {marker})")
    assert not marker.exists()
    assert outputs["status"] == "usage-error"  # `lint;` is no check name: exit 2, nothing ran
    assert outputs["exit-code"] == "2"


def test_config_input_is_passed(project: Path, tmp_path: Path) -> None:
    _, outputs = _run(project, tmp_path, CONFIG="missing.toml", ARGS="--quiet")
    assert outputs["exit-code"] == "2"
