"""An empty repository: nothing to judge is `skipped` with the reason, never `error` (exit 3).

With no config, atlas-ci looks for code in its default paths; finding no Python file there, the
static checks and tests.coverage have nothing to judge. A user who configured `paths` named
where the code is: finding nothing there is an error (a typo must not pass silently).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, checks, report, write_config

pytestmark = pytest.mark.integration

STATIC = (
    "quality.lint",
    "quality.format",
    "quality.types",
    "quality.complexity",
    "security.bandit",
)
# The deploy gate builds and stamps a release, which needs a commit: not what this is about.
# tests.unit was already skipped here ("no test selected"), at the price of pytest's start with
# every plugin of atlas-ci's environment (8-11 s): that cost stays out of `make test`'s budget.
NOT_HERE = ("--skip", "deploy", "--skip", "tests.unit")


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    root = tmp_path / "empty"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / "README.md").write_text("Nothing here yet.\n")
    return root


def test_gate_all_in_an_empty_repository_skips_what_has_nothing_to_judge(empty):
    proc = atlas_ci("gate", "all", *NOT_HERE, cwd=empty)
    found = checks(report(empty))
    assert proc.returncode == 0, {c: (r["status"], r["reason"]) for c, r in found.items()}
    for check in STATIC:
        assert found[check]["status"] == "skipped", (check, found[check]["reason"])
        assert "no Python files in . (atlas-ci's default paths)" in found[check]["reason"]
    coverage = found["tests.coverage"]
    assert coverage["status"] == "skipped"
    assert coverage["reason"] == "no Python code to measure in ., no tests"
    assert not [c for c, r in found.items() if r["status"] == "error"]


def test_configured_paths_with_no_python_file_are_errors(empty):
    (empty / "src").mkdir()
    (empty / "src" / "notes.txt").write_text("not code\n")
    write_config(empty, '[project]\npaths = ["src"]\n')
    only = [arg for check in STATIC for arg in ("--only", check)]
    proc = atlas_ci("gate", "all", *only, cwd=empty)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    found = checks(report(empty))
    for check in STATIC:
        assert found[check]["status"] == "error", (check, found[check]["reason"])
        assert found[check]["reason"] == "no Python files in the configured paths (src)"
