"""Run security checks for real (the actual tools) on fixture repositories made in tmp_path."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from atlas_ci.checks.base import Check, ProjectInfo
from atlas_ci.checks.security import GATE, SecurityGateSettings
from atlas_ci.model import CheckResult
from atlas_ci.plan import Planned
from atlas_ci.runner import run_one

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "security"


def check_named(name: str) -> Check:
    return next(c for c in GATE.checks if c.name == name)


def _run_check(
    name: str,
    root: Path,
    *,
    paths: tuple[str, ...] = ("src",),
    fail_on: str = "medium",
    **settings: Any,
) -> CheckResult:
    """The runner's own path (error isolation included), as the CLI would run one check."""
    check = check_named(name)
    project = ProjectInfo(
        root=root, paths=paths, exclude=(), python=sys.executable, report_dir=root / "reports"
    )
    planned = Planned(
        check, check.settings_model(**settings), SecurityGateSettings(fail_on=fail_on)
    )
    return run_one(planned, project)


def git_init(root: Path) -> None:
    for argv in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(argv, cwd=root, check=True, capture_output=True)


@pytest.fixture
def git_repo() -> Callable[[Path], None]:
    return git_init


@pytest.fixture
def run_check() -> Callable[..., CheckResult]:
    return _run_check


@pytest.fixture
def copy_fixture(tmp_path: Path) -> Callable[[str], Path]:
    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return copy


@pytest.fixture
def advisories_dir() -> Path:
    return FIXTURES / "advisories"
