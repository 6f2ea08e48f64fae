"""The pre-commit hooks, the way pre-commit users get them: `pre-commit try-repo` installs this
repository as a hook repository (pip, from the registry) and runs a hook on a fixture repo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers.cli import REPO, checks, report

# Building the hook environment installs atlas-ci and its tools: about a minute.
pytestmark = pytest.mark.slow

CLEAN = "def f(x: int) -> int:\n    return x\n"


def _run(argv: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def _try(fixture: Path, home: Path, hook: str, *files: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--files", *files]
    proc = _run(argv, fixture, home)
    if f"- hook id: {hook}" not in proc.stdout and "Passed" not in proc.stdout:
        pytest.skip(f"pre-commit could not build the hook environment: {proc.stdout[-800:]}")
    return proc


@pytest.fixture
def fixture(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / ".gitignore").write_text("reports/\n.atlas-ci/\n")
    (root / "good.py").write_text(CLEAN)
    (root / "bad.py").write_text("import os\n\n\n" + CLEAN)  # F401: unused import
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "."], cwd=root, check=True)
    return root


def test_the_manifest_names_both_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["atlas-ci-quality"]["entry"] == "atlas-ci precommit quality"
    assert hooks["atlas-ci-secrets"]["entry"] == "atlas-ci precommit security --only secrets"
    assert all(h["require_serial"] for h in hooks.values())


def test_quality_hook_fails_on_a_lint_error_in_the_staged_file(fixture: Path, tmp_path: Path):
    home = tmp_path / "pre-commit-home"
    failing = _try(fixture, home, "atlas-ci-quality", "bad.py", "good.py")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "F401" in failing.stdout
    lint = checks(report(fixture))["quality.lint"]
    assert lint["status"] == "failed"
    assert {f["location"]["path"] for f in lint["findings"]} == {"bad.py"}
    assert "only 2 file(s), given on the command line" in lint["reason"]
    # The same hook on the clean file alone: only that file is linted, and it passes.
    passing = _try(fixture, home, "atlas-ci-quality", "good.py")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert checks(report(fixture))["quality.lint"]["status"] == "passed"


def test_secrets_hook_fails_on_a_staged_secret(fixture: Path, tmp_path: Path):
    # Token-shaped, built here by concatenation so no fixture holds one.
    key = "AKIA" + "QWERTYUIOPASDFGH"
    (fixture / "settings.py").write_text(f'AWS_KEY = "{key}"\n')
    proc = _try(fixture, tmp_path / "pre-commit-home", "atlas-ci-secrets", "settings.py")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert key not in proc.stdout + proc.stderr
    secrets = checks(report(fixture))["security.secrets"]
    assert secrets["status"] == "failed"
    assert {f["location"]["path"] for f in secrets["findings"]} == {"settings.py"}
    assert sorted(checks(report(fixture))) == ["security.secrets"]
