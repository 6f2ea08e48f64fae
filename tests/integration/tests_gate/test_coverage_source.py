"""tests.coverage measures the project's source only, and agrees with coverage.py run by hand.

The fixture is built so that coverage.py says exactly 36%: calc/used.py runs all 9 of its
statements, calc/never.py (16 statements) is never imported; the test file and atlas-ci's own
plugin must not count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.tests_gate import run_gate

from atlas_ci.model import Status

pytestmark = pytest.mark.integration

USED = """\
def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def neg(a):
    return -a


VALUE = 3
TWICE = VALUE * 2
LIMIT = 10
"""
NEVER = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(8))
TEST = """\
from calc import used


def test_used():
    assert used.add(1, 2) == 3
    assert used.sub(3, 2) == 1
    assert used.neg(1) == -1
"""


def _project(root: Path) -> Path:
    (root / "calc").mkdir(parents=True)
    (root / "calc" / "__init__.py").write_text("")
    (root / "calc" / "used.py").write_text(USED)
    (root / "calc" / "never.py").write_text(NEVER)
    (root / "tests").mkdir()
    (root / "tests" / "test_used.py").write_text(TEST)
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    return root


def _by_hand(root: Path, *run_args: str) -> float:
    """`coverage run <args> -m pytest`, then coverage's own total (its JSON, 2 decimals)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "PYTEST_"))}
    data = f"--data-file={root / 'by-hand.coverage'}"
    cov = [sys.executable, "-m", "coverage"]
    subprocess.run(
        [*cov, "run", data, *run_args, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    out = root / "by-hand.json"
    subprocess.run([*cov, "json", data, "-o", str(out)], cwd=root, env=env, check=True)
    return float(json.loads(out.read_text())["totals"]["percent_covered"])


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, float]:
    root = _project(tmp_path_factory.mktemp("cov36"))
    results = run_gate(root, config_text="[gates.tests.coverage]\nmin = 30\n")
    cov = results["tests.coverage"]
    assert cov.status is Status.PASSED, cov.reason
    return root, cov.metrics[0].value, _by_hand(root, "--source=calc")


def test_coverage_equals_coverage_py_by_hand_at_36_percent(measured):
    _, value, by_hand = measured
    assert by_hand == 36.0
    assert abs(value - by_hand) <= 0.1


def test_the_report_lists_only_the_packages_files(measured):
    root, _, _ = measured
    report = json.loads((root / "reports" / "coverage" / "coverage.json").read_text())
    assert sorted(report["files"]) == ["calc/__init__.py", "calc/never.py", "calc/used.py"]


def test_the_repository_root_as_source_still_leaves_the_tests_out(tmp_path):
    root = _project(tmp_path)
    results = run_gate(root, config_text='[project]\npaths = ["."]\n')
    cov = results["tests.coverage"]
    by_hand = _by_hand(root, "--source=.", "--omit=tests/*")
    assert abs(cov.metrics[0].value - by_hand) <= 0.1
    report = json.loads((root / "reports" / "coverage" / "coverage.json").read_text())
    assert all(name.startswith("calc/") for name in report["files"]), sorted(report["files"])


def test_code_with_no_test_at_all_is_0_percent_failed(tmp_path):
    root = _project(tmp_path)
    (root / "tests" / "test_used.py").unlink()
    results = run_gate(root)
    assert results["tests.unit"].status is Status.SKIPPED
    cov = results["tests.coverage"]
    assert cov.status is Status.FAILED, cov.reason
    assert cov.metrics[0].value == 0
    assert cov.reason == "coverage 0% < 80%"


def test_an_empty_repository_skips_coverage_with_the_reason(tmp_path):
    results = run_gate(tmp_path)
    cov = results["tests.coverage"]
    assert cov.status is Status.SKIPPED
    assert cov.reason.startswith("no Python code to measure")
