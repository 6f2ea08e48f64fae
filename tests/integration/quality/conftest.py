"""Fixture repositories copied to temporary directories, and a runner for one quality check."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from atlas_ci import config, plan, runner
from atlas_ci.model import CheckResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "quality"
QUALITY_CHECKS = ("quality.lint", "quality.format", "quality.types", "quality.complexity")
BIN = Path(sys.executable).parent


def _copy_fixture(name: str, dest: Path) -> Path:
    """Tools write caches next to the code: never run them on the fixtures in the repository."""
    root = dest / name
    shutil.copytree(FIXTURES / name, root)
    return root


def _run_check(root: Path, check_id: str, **settings: Any) -> CheckResult:
    """One check planned from the repository's own config, as `atlas-ci gate` plans it."""
    cfg = config.load(root)
    planned = {p.id: p for p in plan.all_checks(cfg, ["quality"])}[check_id]
    if settings:
        merged = planned.settings.model_dump() | settings
        planned = replace(planned, settings=type(planned.settings).model_validate(merged))
    return runner.run_one(planned, config.project_info(cfg, root, root / "reports"))


def _ruff_lint_keys(root: Path) -> set[tuple[str, str, int]]:
    """(rule, path, line) of everything ruff itself reports for the repository's src/."""
    out = subprocess.run(
        [str(BIN / "ruff"), "check", "--output-format", "json", "--no-fix", "src"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr
    return {
        (
            item["code"],
            Path(item["filename"]).relative_to(root.resolve()).as_posix(),
            item["location"]["row"],
        )
        for item in json.loads(out.stdout)
    }


def _finding_keys(result: CheckResult) -> set[tuple[str, str, int | None]]:
    return {
        (
            f.rule_id,
            f.location.path if f.location else "",
            f.location.start_line if f.location else None,
        )
        for f in result.findings
    }


@pytest.fixture(scope="module")
def dirty_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, CheckResult]]:
    root = _copy_fixture("dirty", tmp_path_factory.mktemp("quality"))
    return root, {c: _run_check(root, c) for c in QUALITY_CHECKS}


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Callable[[str], Path]:
    return lambda name: _copy_fixture(name, tmp_path)


@pytest.fixture
def run_check() -> Callable[..., CheckResult]:
    return _run_check


@pytest.fixture
def ruff_lint_keys() -> Callable[[Path], set[tuple[str, str, int]]]:
    return _ruff_lint_keys


@pytest.fixture
def finding_keys() -> Callable[[CheckResult], set[tuple[str, str, int | None]]]:
    return _finding_keys
