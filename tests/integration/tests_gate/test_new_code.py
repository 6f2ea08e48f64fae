"""min_new: coverage of the lines added since `--base REF`, on a real git history."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.tests_gate import copy_fixture, git, located, run_gate

from atlas_ci.model import Status

pytestmark = pytest.mark.integration

CONFIG = "[gates.tests.coverage]\nmin = 0\nmin_new = 100\n"
TRIPLE = """

def triple(x):
    \"\"\"Added after the base commit, untested at first.\"\"\"
    return 3 * x
"""
TRIPLE_TEST = "from calc import ops\n\n\ndef test_triple():\n    assert ops.triple(2) == 6\n"


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, str]:
    """A fully covered project committed as the base, then a commit adding an untested function."""
    root = copy_fixture("project", tmp_path / "repo")
    copy_fixture("fixed", root)
    (root / "atlas-ci.toml").write_text(CONFIG)
    (root / ".gitignore").write_text("reports/\n__pycache__/\n.pytest_cache/\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    base = git(root, "rev-parse", "HEAD")
    with (root / "calc" / "ops.py").open("a") as ops:
        ops.write(TRIPLE)
    git(root, "commit", "-qam", "add triple")
    return root, base


def test_uncovered_new_function_fails_min_new_with_a_finding_on_its_lines(history):
    root, base = history
    results = run_gate(root, only=["unit", "coverage"], base=base)
    cov = results["tests.coverage"]
    assert cov.status is Status.FAILED
    metrics = {m.name: m for m in cov.metrics}
    # The new `def` line runs at import; its body does not.
    assert metrics["new_code_coverage"].value == 50.0
    assert metrics["new_code_coverage"].threshold == 100
    (finding,) = cov.findings
    ops = root / "calc" / "ops.py"
    assert finding.rule_id == "uncovered-new-code"
    assert finding.blocking
    assert finding.location.path == "calc/ops.py"
    assert finding.location.start_line == located(ops, "return 3 * x")
    assert finding.location.end_line == located(ops, "return 3 * x")
    assert base in finding.message


def test_covering_the_new_function_passes(history):
    root, base = history
    (root / "tests" / "unit" / "test_triple.py").write_text(TRIPLE_TEST)
    results = run_gate(root, only=["unit", "coverage"], base=base)
    cov = results["tests.coverage"]
    assert cov.status is Status.PASSED, cov.reason
    assert {m.name: m.value for m in cov.metrics}["new_code_coverage"] == 100.0
    assert cov.findings == ()


def test_uncommitted_and_untracked_changes_count_as_new(history):
    root, _ = history
    # Against HEAD nothing is new until the working tree changes: a new untracked module.
    (root / "calc" / "extra.py").write_text("def unused():\n    return 1\n")
    results = run_gate(root, only=["unit", "coverage"], base="HEAD")
    cov = results["tests.coverage"]
    assert cov.status is Status.FAILED
    assert [(f.location.path, f.location.start_line) for f in cov.findings] == [
        ("calc/extra.py", 1)
    ]


def test_a_bad_base_ref_is_an_error(history):
    root, _ = history
    results = run_gate(root, only=["unit", "coverage"], base="no-such-ref")
    assert results["tests.coverage"].status is Status.ERROR
    assert "git diff against 'no-such-ref' failed" in results["tests.coverage"].reason
