"""The tests gate on a real fixture project: real pytest, real coverage, JUnit XML on disk."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.tests_gate import copy_fixture, located, run_gate

from atlas_ci.checks.testsuite import junit
from atlas_ci.model import CheckResult, Status

pytestmark = pytest.mark.integration

Results = dict[str, CheckResult]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Results]:
    root = copy_fixture("project", tmp_path_factory.mktemp("broken"))
    return root, run_gate(root)


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Results]:
    root = copy_fixture("project", tmp_path_factory.mktemp("fixed"))
    copy_fixture("fixed", root)
    return root, run_gate(root)


def _coverage_report_total(root: Path) -> float:
    """What `coverage report` itself says about the data tests.coverage combined."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "coverage",
            "report",
            "--precision=2",
            "--data-file=reports/coverage/.coverage",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    total = re.search(r"^TOTAL\s.*?(\d+(?:\.\d+)?)%\s*$", out, re.MULTILINE)
    assert total, out
    return float(total.group(1))


def test_a_failing_unit_test_fails_tests_unit_with_its_node_id_and_line(broken):
    root, results = broken
    unit = results["tests.unit"]
    assert unit.status is Status.FAILED
    (finding,) = unit.findings
    assert finding.rule_id == "test-failed"
    assert finding.message.startswith("tests/unit/test_ops.py::test_mul failed: ")
    assert "2 times 3 is 6" in finding.message
    source = root / "tests" / "unit" / "test_ops.py"
    assert finding.location.path == "tests/unit/test_ops.py"
    assert finding.location.start_line == located(source, "assert product == 6")
    metrics = {m.name: m.value for m in unit.metrics}
    assert (metrics["passed"], metrics["failed"], metrics["error"]) == (5, 1, 0)
    assert unit.tool_version
    assert unit.tool_version[0].isdigit()


def test_junit_xml_is_kept_in_the_report_directory(broken):
    root, results = broken
    for name in ("unit", "integration"):
        assert results[f"tests.{name}"].artifacts == (f"junit/{name}.xml",)
        assert junit.parse(root / "reports" / "junit" / f"{name}.xml").cases


def test_a_test_marked_integration_under_a_unit_path_runs_in_integration_only(broken):
    root, results = broken
    reports = root / "reports" / "junit"
    unit_ids = {c.nodeid for c in junit.parse(reports / "unit.xml").cases}
    integration_ids = {c.nodeid for c in junit.parse(reports / "integration.xml").cases}
    marked = "tests/unit/test_marked.py::test_marked_integration_under_unit_path"
    assert marked in integration_ids
    assert marked not in unit_ids
    assert "tests/unit/test_marked.py::test_plain_unit" in unit_ids
    assert integration_ids == {marked}
    assert results["tests.integration"].status is Status.PASSED


def test_builtin_categories_absent_from_the_repository_are_skipped_without_running(broken):
    _, results = broken
    for name in ("observability", "reliability"):
        assert results[f"tests.{name}"].status is Status.SKIPPED
        assert results[f"tests.{name}"].reason == (
            f"no tests/{name} directory and no test marked {name}"
        )
        assert results[f"tests.{name}"].duration < 5  # no pytest run


def test_coverage_fails_below_min_with_the_total_coverage_report_gives(broken):
    root, results = broken
    cov = results["tests.coverage"]
    assert cov.status is Status.FAILED
    (metric,) = cov.metrics
    assert metric.name == "coverage"
    assert metric.threshold == 80
    assert 40 < metric.value < 60  # the fixture is about half covered
    assert abs(metric.value - _coverage_report_total(root)) <= 0.5
    assert cov.artifacts == ("coverage/coverage.json",)


def test_the_projects_coverage_config_is_honoured(broken):
    root, _ = broken
    import json

    report = json.loads((root / "reports" / "coverage" / "coverage.json").read_text())
    assert "calc/ops.py" in report["files"]
    assert "calc/generated.py" not in report["files"]  # omitted by [tool.coverage.run]


def test_once_fixed_and_covered_both_pass(fixed):
    root, results = fixed
    assert results["tests.unit"].status is Status.PASSED
    assert results["tests.unit"].findings == ()
    cov = results["tests.coverage"]
    assert cov.status is Status.PASSED, cov.reason
    assert cov.metrics[0].value >= 80
    assert abs(cov.metrics[0].value - _coverage_report_total(root)) <= 0.5
    assert cov.reason.endswith("covered by integration, unit")


def test_workers_run_under_xdist_and_coverage_still_adds_up(broken, tmp_path):
    _, serial = broken
    root = copy_fixture("project", tmp_path)
    results = run_gate(
        root, only=["unit", "coverage"], config_text="[gates.tests.categories.unit]\nworkers = 2\n"
    )
    unit = results["tests.unit"]
    assert unit.status is Status.FAILED
    assert [f.message for f in unit.findings] == [f.message for f in serial["tests.unit"].findings]
    cov = results["tests.coverage"]
    # integration's only test imports nothing from calc: unit alone gives the same total.
    assert cov.metrics[0].value == serial["tests.coverage"].metrics[0].value
    assert abs(cov.metrics[0].value - _coverage_report_total(root)) <= 0.5


def test_a_category_you_add_must_find_tests(tmp_path):
    root = copy_fixture("project", tmp_path)
    config = "[gates.tests.categories.smoke]\npaths = ['tests/smoke']\ncoverage = false\n"
    results = run_gate(root, only=["smoke"], config_text=config)
    assert results["tests.smoke"].status is Status.ERROR
    assert "no test selected" in results["tests.smoke"].reason


def test_coverage_alone_has_no_data_to_judge(tmp_path):
    root = copy_fixture("project", tmp_path)
    results = run_gate(root, only=["coverage"])
    assert results["tests.coverage"].status is Status.ERROR
    assert "run the test categories too" in results["tests.coverage"].reason


def test_a_marker_category_sharing_unit_paths_runs_only_its_marked_tests(tmp_path):
    root = copy_fixture("project", tmp_path)
    config = (
        '[gates.tests.categories.integration]\npaths = ["tests/unit"]\nmarker = "integration"\n'
    )
    results = run_gate(root, only=["unit", "integration"], config_text=config)
    unit, integration = results["tests.unit"], results["tests.integration"]
    assert unit.status is Status.FAILED
    assert [f.message.split(" failed")[0] for f in unit.findings] == [
        "tests/unit/test_ops.py::test_mul"
    ]
    assert integration.status is Status.PASSED, integration.reason
    cases = junit.parse(root / "reports" / "junit" / "integration.xml").cases
    assert [c.nodeid for c in cases] == [
        "tests/unit/test_marked.py::test_marked_integration_under_unit_path"
    ]
    unit_ids = {c.nodeid for c in junit.parse(root / "reports" / "junit" / "unit.xml").cases}
    assert len(unit_ids) == 6
    assert "tests/unit/test_marked.py::test_marked_integration_under_unit_path" not in unit_ids
